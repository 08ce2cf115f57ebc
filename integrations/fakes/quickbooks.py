"""A fake QuickBooks Online (Accounting API v3 + Intuit OAuth 2.0), as its documentation describes it.

Served in-process (`in_process_transport`, the origin `http://quickbooks.fake`) and over HTTP
(`manage.py fake_provider quickbooks --port 8103`). What it reproduces:
- the entities Account, Customer, Vendor, Invoice, CreditMemo, Payment (with the credit memos it applies),
  Bill, BillPayment (CheckPayment/CreditCardPayment), Deposit, Purchase (Cash/Check/CreditCard) and
  JournalEntry, each in the shape of its page under developer.intuit.com/…/api/accounting/all-entities/;
- companies by `realmId` in the path (`/v3/company/{realmId}/…`), `minorversion` required (400 without);
- the query endpoint: `SELECT * FROM <Entity> [WHERE Metadata.LastUpdatedTime > '<ts>']
  [ORDERBY Id] STARTPOSITION n MAXRESULTS m` (m ≤ 1000, else a 400 fault), the envelope
  `{"QueryResponse": {"<Entity>": [...], "startPosition", "maxResults"}, "time"}` and `{}` past the end;
- Change Data Capture: `/cdc?entities=A,B&changedSince=<ts>` (at most 30 days back, else 400),
  `{"CDCResponse": [{"QueryResponse": [{"<Entity>": [...]}, …]}]}`, deleted objects as
  `{"Id", "status": "Deleted", "MetaData"}`;
- the GeneralLedger report (`/reports/GeneralLedger?start_date&end_date&columns`): a Section per account,
  Data rows whose ColData follow the columns asked for, built from the journal entries and the company's
  `other_postings` (the transactions of types the connector reads no entity of);
- `Fault` error bodies (`{"Fault": {"Error": [{"Message", "Detail", "code"}], "type"}, "time"}`) with an
  `intuit_tid` header on every answer; 401 for an unknown or expired token;
- a per-realm request budget (`per_minute`, 500 by default) answering 429 `ThrottleExceeded`;
- the OAuth token endpoint (HTTP Basic client authentication), access tokens of 1 hour, refresh
  tokens that rotate on each refresh (the old one then dies), and the consent redirect carrying `realmId`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode

import httpx

from integrations.fakes import process_fake
from integrations.fakes.serving import ServedFake

ENTITIES = ("Account", "Customer", "Vendor", "Invoice", "CreditMemo", "Payment", "Bill", "BillPayment", "Deposit",
            "Purchase", "JournalEntry", "CompanyInfo")
MAX_RESULTS = 1000
CDC_WINDOW = timedelta(days=30)
QUERY = re.compile(
    r"^select \* from (?P<entity>\w+)"
    r"(?: where metadata\.lastupdatedtime > '(?P<since>[^']+)')?"
    r"(?: where id in \((?P<ids>[^)]*)\))?"
    r"(?: orderby (?P<order>[\w.]+))?"
    r"(?: startposition (?P<start>\d+))?"
    r"(?: maxresults (?P<max>\d+))?$", re.IGNORECASE)


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Company:
    """One QuickBooks company (realm): its entities by type, each a dict as the API returns it."""

    realm_id: str
    name: str
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {e: {} for e in ENTITIES})
    deleted: dict[str, dict[str, datetime]] = field(default_factory=lambda: {e: {} for e in ENTITIES})
    # Transactions of types the connector reads no entity of (Sales Receipt, Transfer…), as the GeneralLedger
    # report lists them: {"TxnType", "Id", "TxnDate", "DocNumber", "Lines": [(account id, debit, credit)]}.
    other_postings: list[dict[str, Any]] = field(default_factory=list)
    fiscal_year_start_month: str = "January"
    home_currency: str = "EUR"
    _next_id: int = 1

    def add(self, entity: str, body: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        if "Id" not in body:
            body["Id"] = str(self._next_id)
            self._next_id += 1
        body["MetaData"] = {"CreateTime": ts(at), "LastUpdatedTime": ts(at)}
        body.setdefault("SyncToken", "0")
        self.objects[entity][body["Id"]] = body
        return body

    def touch(self, entity: str, object_id: str, *, at: datetime | None = None, **changes) -> None:
        body = self.objects[entity][object_id]
        body.update(changes)
        body["MetaData"]["LastUpdatedTime"] = ts(at or datetime.now(UTC))
        body["SyncToken"] = str(int(body["SyncToken"]) + 1)

    def delete(self, entity: str, object_id: str, *, at: datetime | None = None) -> None:
        self.objects[entity].pop(object_id)
        self.deleted[entity][object_id] = at or datetime.now(UTC)


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    token: str
    tid: str = ""


class QuickBooksFake(ServedFake):
    client_id = "fake-qbo-client-id"
    client_secret = "fake-qbo-client-secret"

    def __init__(self, companies: list[Company], *, tokens: dict[str, str] | None = None, per_minute: int = 500):
        self.companies = {c.realm_id: c for c in companies}
        self.tokens: dict[str, tuple[str, float]] = {t: (realm, time.time() + 3600) for t, realm in (tokens or {}).items()}
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.per_minute = per_minute
        self.throttle_next = 0  # switch: answer the next N API calls with 429
        self.server_errors_next = 0  # switch: answer the next N API calls with 503
        self.forbidden_next = 0  # switch: answer the next N API calls with 403 (the user lost the admin role)
        self.access_token_lifetime = 3600
        self.log: list[Logged] = []
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()

    # --- OAuth --------------------------------------------------------------------------------

    def issue_code(self, *, realm_id: str, redirect_uri: str) -> str:
        code = f"qbo-code-{secrets.token_hex(8)}"
        self.codes[code] = (realm_id, redirect_uri)
        return code

    def _consent(self, query):
        realm = next(iter(self.companies))
        redirect_uri = _one(query, "redirect_uri")
        code = self.issue_code(realm_id=realm, redirect_uri=redirect_uri)
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': _one(query, 'state'), 'realmId': realm})}"
        return 302, {"Location": location}, b""

    def _token(self, headers, form):
        basic = headers.get("authorization", "")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if basic != f"Basic {expected}":
            return _json(401, {"error": "invalid_client"})
        grant = _one(form, "grant_type")
        with self._lock:
            if grant == "authorization_code":
                found = self.codes.pop(_one(form, "code"), None)
                if found is None or found[1] != _one(form, "redirect_uri"):
                    return _json(400, {"error": "invalid_grant"})
                realm = found[0]
            elif grant == "refresh_token":
                realm = self.refresh_tokens.pop(_one(form, "refresh_token"), None)  # rotates: the old one dies
                if realm is None:
                    return _json(400, {"error": "invalid_grant"})
            else:
                return _json(400, {"error": "unsupported_grant_type"})
            access = f"qbo-at-{secrets.token_hex(16)}"
            refresh = f"qbo-rt-{secrets.token_hex(12)}"
            self.tokens[access] = (realm, time.time() + self.access_token_lifetime)
            self.refresh_tokens[refresh] = realm
        return _json(200, {"token_type": "bearer", "access_token": access, "refresh_token": refresh,
                           "expires_in": self.access_token_lifetime, "x_refresh_token_expires_in": 8726400})

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes):
        token = headers.get("authorization", "").removeprefix("Bearer ")
        status, out_headers, payload = self._route(method, path, query, headers, body)
        tid = f"1-{uuid.uuid4().hex[:24]}"
        out_headers = {**out_headers, "intuit_tid": tid}
        self.log.append(Logged(method, path, query, status, token, tid))
        return status, out_headers, payload

    def requests_to(self, fragment: str) -> list[Logged]:
        return [r for r in self.log if fragment in r.path]

    def _route(self, method, path, query, headers, body):
        if path == "/connect/oauth2" and method == "GET":
            return self._consent(query)
        if path == "/oauth2/v1/tokens/bearer" and method == "POST":
            return self._token(headers, parse_qs(body.decode()))
        match = re.fullmatch(r"/v3/company/(\d+)/(query|cdc|companyinfo/\d+|preferences|reports/GeneralLedger)", path)
        if not match:
            return _fault(404, "ValidationFault", "Unsupported Operation", "Operation not supported", "500")
        realm, operation = match.groups()
        token = headers.get("authorization", "").removeprefix("Bearer ")
        owner = self.tokens.get(token)
        if owner is None or owner[1] < time.time() or owner[0] != realm:
            return _fault(401, "AUTHENTICATION", "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                          "Token expired or invalid", "3200")
        if not _one(query, "minorversion"):
            return _fault(400, "ValidationFault", "minorversion is required", "Send minorversion=75 or newer", "4001")
        throttled = self._throttle(realm)
        if throttled:
            return throttled
        company = self.companies[realm]
        if operation == "query":
            return self._query(company, _one(query, "query"))
        if operation == "cdc":
            return self._cdc(company, _one(query, "entities"), _one(query, "changedSince"))
        if operation == "reports/GeneralLedger":
            return self._general_ledger(company, query)
        if operation == "preferences":
            return _json(200, {"Preferences": {"AccountingInfoPrefs": {
                "FirstMonthOfFiscalYear": company.fiscal_year_start_month},
                "CurrencyPrefs": {"HomeCurrency": {"value": company.home_currency}, "MultiCurrencyEnabled": True}},
                "time": ts(datetime.now(UTC))})
        return _json(200, {"CompanyInfo": {"Id": "1", "CompanyName": company.name,
                                           "FiscalYearStartMonth": company.fiscal_year_start_month,
                                           "Country": "GB"}, "time": ts(datetime.now(UTC))})

    def _throttle(self, realm):
        with self._lock:
            if self.forbidden_next:
                self.forbidden_next -= 1
                return _fault(403, "AuthorizationFault", "AuthorizationFailed",
                              "The user is not authorized to access this company", "003100")
            if self.server_errors_next:
                self.server_errors_next -= 1
                return _fault(503, "SystemFault", "Service Unavailable", "Try again later", "10000")
            if self.throttle_next:
                self.throttle_next -= 1
                return _fault(429, "ThrottlingFault", "ThrottleExceeded", "Too many requests for this realm", "003001")
            calls = self._calls.setdefault(realm, deque())
            now = time.time()
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                return _fault(429, "ThrottlingFault", "ThrottleExceeded", "Too many requests for this realm", "003001")
            calls.append(now)
        return None

    def _query(self, company: Company, text: str):
        match = QUERY.match(" ".join(text.split()))
        if not match or match["entity"] not in company.objects:
            return _fault(400, "ValidationFault", "Error parsing query", f"QueryParserError: {text[:80]}", "4000")
        maximum = int(match["max"] or 100)
        if maximum > MAX_RESULTS:
            return _fault(400, "ValidationFault", "Invalid query", "MAXRESULTS may not exceed 1000", "4001")
        rows = sorted(company.objects[match["entity"]].values(), key=lambda o: int(o["Id"]))
        if match["since"]:
            since = parse_ts(match["since"])
            rows = [o for o in rows if parse_ts(o["MetaData"]["LastUpdatedTime"]) > since]
        if match["ids"]:
            wanted = {i.strip().strip("'") for i in match["ids"].split(",")}
            rows = [o for o in rows if o["Id"] in wanted]
        start = int(match["start"] or 1)
        page = rows[start - 1:start - 1 + maximum]
        envelope: dict[str, Any] = {}
        if page:
            envelope = {match["entity"]: page, "startPosition": start, "maxResults": len(page)}
        return _json(200, {"QueryResponse": envelope, "time": ts(datetime.now(UTC))})

    def _cdc(self, company: Company, entities: str, changed_since: str):
        try:
            since = parse_ts(changed_since)
        except ValueError:
            return _fault(400, "ValidationFault", "Invalid changedSince", changed_since, "2500")
        if since < datetime.now(UTC) - CDC_WINDOW:
            return _fault(400, "ValidationFault", "changedSince is too far back",
                          "CDC looks back at most 30 days", "2500")
        responses = []
        for entity in [e for e in entities.split(",") if e]:
            if entity not in company.objects:
                return _fault(400, "ValidationFault", "Invalid entity", entity, "2500")
            changed = [o for o in company.objects[entity].values()
                       if parse_ts(o["MetaData"]["LastUpdatedTime"]) > since]
            gone = [{"Id": i, "status": "Deleted", "MetaData": {"LastUpdatedTime": ts(at)}}
                    for i, at in company.deleted[entity].items() if at > since]
            items = sorted(changed, key=lambda o: int(o["Id"])) + gone
            responses.append({entity: items[:MAX_RESULTS], "startPosition": 1, "maxResults": len(items[:MAX_RESULTS])}
                             if items else {})
        return _json(200, {"CDCResponse": [{"QueryResponse": responses}], "time": ts(datetime.now(UTC))})

    GL_COLUMNS: ClassVar[dict[str, tuple[str, str]]] = {"tx_date": ("Date", "tx_date"), "txn_type": ("Transaction Type", "txn_type"),
                  "doc_num": ("Num", "doc_num"), "memo": ("Memo/Description", "memo"),
                  "debt_amt": ("Debit", "Money"), "credit_amt": ("Credit", "Money")}

    def _general_ledger(self, company: Company, query):
        """The GeneralLedger report: a section per account (Header ColData with the account's id), a Data row
        per posting whose ColData follow the `columns` asked for; the transactions are the journal entries and
        the company's `other_postings` (the other entities' postings are not reproduced here)."""
        columns = [c for c in (_one(query, "columns") or "tx_date,txn_type,doc_num,memo,debt_amt,credit_amt").split(",")]
        if any(c not in self.GL_COLUMNS for c in columns):
            return _fault(400, "ValidationFault", "Invalid column", ",".join(columns), "2030")
        start, end = _one(query, "start_date"), _one(query, "end_date")
        txns = list(company.other_postings)
        for entry in company.objects["JournalEntry"].values():
            txns.append({"TxnType": "Journal Entry", "Id": entry["Id"], "TxnDate": entry["TxnDate"],
                         "DocNumber": entry.get("DocNumber", ""), "Lines": [
                             (line["JournalEntryLineDetail"]["AccountRef"]["value"],
                              line["Amount"] if line["JournalEntryLineDetail"]["PostingType"] == "Debit" else 0,
                              line["Amount"] if line["JournalEntryLineDetail"]["PostingType"] == "Credit" else 0)
                             for line in entry["Line"]]})
        by_account: dict[str, list] = {}
        for txn in sorted(txns, key=lambda t: (t["TxnDate"], int(t["Id"]))):
            if (start and txn["TxnDate"] < start) or (end and txn["TxnDate"] > end):
                continue
            for account, debit, credit in txn["Lines"]:
                values = {"tx_date": {"value": txn["TxnDate"]}, "txn_type": {"value": txn["TxnType"], "id": txn["Id"]},
                          "doc_num": {"value": txn.get("DocNumber", "")}, "memo": {"value": txn.get("Memo", "")},
                          "debt_amt": {"value": f"{Decimal(str(debit)):.2f}" if debit else ""},
                          "credit_amt": {"value": f"{Decimal(str(credit)):.2f}" if credit else ""}}
                by_account.setdefault(account, []).append(
                    {"ColData": [values[c] for c in columns], "type": "Data"})
        sections = []
        for account, rows in by_account.items():
            name = company.objects["Account"].get(account, {}).get("Name", account)
            sections.append({"Header": {"ColData": [{"value": name, "id": account}] + [{"value": ""}] * (len(columns) - 1)},
                             "Rows": {"Row": rows}, "Summary": {"ColData": [{"value": f"Total for {name}"}]},
                             "type": "Section"})
        return _json(200, {"Header": {"ReportName": "GeneralLedger", "StartPeriod": start, "EndPeriod": end,
                                      "Currency": company.home_currency, "Time": ts(datetime.now(UTC))},
                           "Columns": {"Column": [{"ColTitle": self.GL_COLUMNS[c][0], "ColType": self.GL_COLUMNS[c][1],
                                                   "MetaData": [{"Name": "ColKey", "Value": c}]} for c in columns]},
                           "Rows": {"Row": sections}})



def _one(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[0]


def _json(status: int, body: Any):
    return status, {"Content-Type": "application/json"}, json.dumps(body, default=_money).encode()


def _money(value):
    if isinstance(value, Decimal):
        return float(value)  # QuickBooks sends numbers; the connector reads them back as Decimal(str(x))
    raise TypeError(value)


def _fault(status: int, kind: str, message: str, detail: str, code: str):
    return _json(status, {"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code}], "type": kind},
                          "time": ts(datetime.now(UTC))})


_default: QuickBooksFake | None = None


def default_instance() -> QuickBooksFake:
    """The demo's QuickBooks company (the English subsidiary), built once per process."""
    def build() -> QuickBooksFake:
        from integrations.fakes.quickbooks_scenario import DEMO_TOKEN, demo_company

        company = demo_company()
        return QuickBooksFake([company], tokens={DEMO_TOKEN: company.realm_id})

    return process_fake(__name__, build)


def in_process_transport() -> httpx.MockTransport:
    return default_instance().transport()


def default_wsgi_app() -> QuickBooksFake:
    return default_instance()
