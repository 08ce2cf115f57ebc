"""A fake Xero (Accounting API 2.0 + Xero Identity OAuth 2.0), as Xero's documentation describes it.

Served in-process (`in_process_transport`, the origin `http://xero.fake`) and over HTTP
(`manage.py fake_provider xero --port 8105`). What it reproduces:
- OAuth 2.0: the consent redirect (`/identity/connect/authorize`), the token endpoint (`/connect/token`,
  HTTP Basic client authentication), access tokens of 30 minutes, refresh tokens that are single-use
  (each refresh returns a new one and the old one dies), and `/connections` listing the tenants a
  token was granted (`tenantId`, `tenantName`, `tenantType`, `authEventId`, …);
- every API call needs `xero-tenant-id` naming a tenant of the token (403 `AuthenticationUnsuccessful`
  otherwise) and a live token (401 `TokenExpired`);
- lists in the `{"Id", "Status": "OK", "ProviderName", "DateTimeUTC", "<Collection>": [...]}` envelope;
  Contacts, Invoices, CreditNotes, Payments and BankTransactions page with `page=` (100 a page, or
  `pageSize` up to 1,000) and carry `pagination`; Accounts is one list; `If-Modified-Since` keeps only
  what was created or changed after it; `/Journals?offset=n` returns the 100 journals numbered after n;
- dates in Microsoft JSON form (`/Date(1539993600000+0000)/`), amounts as JSON numbers;
- nothing is ever removed: a deleted draft says `Status: "DELETED"`, a voided invoice `VOIDED`, a
  deleted payment `DELETED`, and journals are immutable (a void posts a reversing journal);
- limits per tenant (60 a minute, 5,000 a day) and app-wide (10,000 a minute), reported on every
  answer in `X-MinLimit-Remaining`, `X-DayLimit-Remaining`, `X-AppMinLimit-Remaining`; over one, 429
  with `Retry-After` and `X-Rate-Limit-Problem: minute|day|appminute`;
- error bodies: `{"Type", "Title", "Status", "Detail"}` for auth errors and Xero's `ApiException`
  (`{"ErrorNumber", "Type": "ValidationException", "Message", "Elements"}`) for bad requests;
- switchable faults: `throttle_next` (with `throttle_problem`), `server_errors_next`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from integrations.fakes import process_fake
from integrations.fakes.hubspot import SimulatedCrash
from integrations.fakes.serving import ServedFake

ORIGIN = "http://xero.fake"
ID_FIELD = {"Accounts": "AccountID", "Contacts": "ContactID", "Invoices": "InvoiceID", "CreditNotes": "CreditNoteID",
            "Payments": "PaymentID", "BankTransactions": "BankTransactionID"}
PAGED = ("Contacts", "Invoices", "CreditNotes", "Payments", "BankTransactions")
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
JOURNALS_PER_CALL = 100


def xero_date(day: date) -> str:
    """A day as Xero writes it: milliseconds since the epoch at midnight UTC."""
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def xero_timestamp(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def parse_if_modified_since(value: str) -> datetime:
    """`2009-11-12T00:00:00` (UTC) as Xero's guides write it, or an HTTP date."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = parsedate_to_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Tenant:
    """One Xero organisation: its collections by name (each object a dict as the API returns it) and
    its journals, numbered in the order they were posted."""

    tenant_id: str
    name: str
    base_currency: str = "EUR"
    financial_year_end_day: int = 31
    financial_year_end_month: int = 12
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {c: {} for c in ID_FIELD})
    updated: dict[str, dict[str, datetime]] = field(default_factory=lambda: {c: {} for c in ID_FIELD})
    journals: list[dict[str, Any]] = field(default_factory=list)
    journal_created: list[datetime] = field(default_factory=list)

    def add(self, collection: str, body: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        key = ID_FIELD[collection]
        body.setdefault(key, str(uuid.uuid4()))
        body["UpdatedDateUTC"] = xero_timestamp(at)
        self.objects[collection][body[key]] = body
        self.updated[collection][body[key]] = at
        return body

    def touch(self, collection: str, object_id: str, *, at: datetime | None = None, **changes) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        body = self.objects[collection][object_id]
        body.update(changes)
        body["UpdatedDateUTC"] = xero_timestamp(at)
        self.updated[collection][object_id] = at
        return body

    def post_journal(self, *, day: date, source_type: str, source_id: str, reference: str,
                     lines: list[tuple[dict[str, Any], Decimal, Decimal]], at: datetime | None = None) -> dict[str, Any]:
        """Post a journal: each line is (account, net amount in the base currency — positive a debit,
        negative a credit —, its tax amount)."""
        at = at or datetime.now(UTC)
        journal = {
            "JournalID": str(uuid.uuid4()), "JournalDate": xero_date(day), "JournalNumber": len(self.journals) + 1,
            "CreatedDateUTC": xero_timestamp(at), "Reference": reference, "SourceID": source_id,
            "SourceType": source_type,
            "JournalLines": [{"JournalLineID": str(uuid.uuid4()), "AccountID": account["AccountID"],
                              "AccountCode": account.get("Code", ""), "AccountType": account["Type"],
                              "AccountName": account["Name"], "Description": reference, "NetAmount": net,
                              "GrossAmount": net + tax, "TaxAmount": tax, "TrackingCategories": []}
                             for account, net, tax in lines],
        }
        assert sum(net for _a, net, _t in lines) == 0, "a journal balances on its net amounts"
        self.journals.append(journal)
        self.journal_created.append(at)
        return journal

    def reverse_journals(self, source_id: str, *, day: date, at: datetime | None = None) -> None:
        """What Xero does when a document is voided or a payment deleted: a journal that negates its postings."""
        accounts = {a["AccountID"]: a for a in self.objects["Accounts"].values()}
        for journal in [j for j in self.journals if j["SourceID"] == source_id]:
            self.post_journal(day=day, source_type=journal["SourceType"], source_id=source_id,
                              reference=journal["Reference"], at=at,
                              lines=[(accounts[line["AccountID"]], -line["NetAmount"], -line["TaxAmount"])
                                     for line in journal["JournalLines"]])


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int


@dataclass
class Grant:
    tenants: list[str]
    auth_event_id: str


class XeroFake(ServedFake):
    client_id = "fake-xero-client-id"
    client_secret = "fake-xero-client-secret"

    def __init__(self, tenants: list[Tenant], *, tokens: dict[str, list[str]] | None = None,
                 per_minute: int = 60, per_day: int = 5000, app_per_minute: int = 10_000):
        self.tenants = {t.tenant_id: t for t in tenants}
        self.tokens: dict[str, tuple[Grant, float]] = {
            token: (Grant(list(ids), str(uuid.uuid4())), time.time() + 1800) for token, ids in (tokens or {}).items()}
        self.refresh_tokens: dict[str, Grant] = {}
        self.codes: dict[str, tuple[Grant, str]] = {}
        self.consent_tenants: list[str] | None = None  # the tenants the user ticks on the consent screen (all)
        self.per_minute, self.per_day, self.app_per_minute = per_minute, per_day, app_per_minute
        self.access_token_lifetime = 1800
        self.throttle_next = 0  # switch: answer the next N API calls with 429
        self.throttle_problem = "minute"  # which limit those 429s name
        self.throttle_retry_after = 1
        self.server_errors_next = 0  # switch: answer the next N API calls with 503
        self.crash_after: int | None = None  # switch: the in-process transport dies (SIGKILL) after N API calls
        self.token_delay = 0.0  # switch: a slow token endpoint (seconds)
        self.log: list[Logged] = []
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()

    def grant(self, tenants: list[str] | None = None) -> Grant:
        return Grant(list(tenants if tenants is not None else self.tenants), str(uuid.uuid4()))

    def add_refresh_token(self, token: str, tenants: list[str] | None = None) -> None:
        self.refresh_tokens[token] = self.grant(tenants)

    def requests_to(self, fragment: str) -> list[Logged]:
        return [r for r in self.log if fragment in r.path]

    # --- OAuth --------------------------------------------------------------------------------

    def issue_code(self, *, redirect_uri: str, tenants: list[str] | None = None) -> str:
        code = f"xero-code-{secrets.token_hex(8)}"
        self.codes[code] = (self.grant(tenants if tenants is not None else self.consent_tenants), redirect_uri)
        return code

    def _consent(self, query):
        redirect_uri = _one(query, "redirect_uri")
        if _one(query, "client_id") != self.client_id or _one(query, "response_type") != "code":
            return _json(400, {"error": "unauthorized_client"})
        code = self.issue_code(redirect_uri=redirect_uri)
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': _one(query, 'state'), 'scope': _one(query, 'scope')})}"
        return 302, {"Location": location}, b""

    def _token(self, headers, form):
        # The client authenticates with HTTP Basic, or with its id and secret in the form (as Xero's SDK does).
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        in_form = (_one(form, "client_id"), _one(form, "client_secret")) == (self.client_id, self.client_secret)
        if headers.get("authorization", "") != f"Basic {expected}" and not in_form:
            return _json(400, {"error": "invalid_client"})
        if self.token_delay:
            time.sleep(self.token_delay)
        grant_type = _one(form, "grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                found = self.codes.pop(_one(form, "code"), None)
                if found is None or found[1] != _one(form, "redirect_uri"):
                    return _json(400, {"error": "invalid_grant"})
                grant = found[0]
            elif grant_type == "refresh_token":
                grant = self.refresh_tokens.pop(_one(form, "refresh_token"), None)  # single-use
                if grant is None:
                    return _json(400, {"error": "invalid_grant"})
            else:
                return _json(400, {"error": "unsupported_grant_type"})
            access = f"xero-at-{secrets.token_hex(16)}"
            refresh = f"xero-rt-{secrets.token_hex(12)}"
            self.tokens[access] = (grant, time.time() + self.access_token_lifetime)
            self.refresh_tokens[refresh] = grant
        return _json(200, {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                           "expires_in": self.access_token_lifetime,
                           "scope": "offline_access accounting.transactions.read accounting.journals.read "
                                    "accounting.settings.read accounting.contacts.read"})

    def _connections(self, grant: Grant):
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0")
        return _json(200, [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, t)), "authEventId": grant.auth_event_id,
                            "tenantId": t, "tenantType": "ORGANISATION", "tenantName": self.tenants[t].name,
                            "createdDateUtc": now, "updatedDateUtc": now} for t in grant.tenants if t in self.tenants])

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes):
        status, out_headers, payload = self._route(method, path, query, headers, body)
        self.log.append(Logged(method, path, query, headers, status))
        return status, out_headers, payload

    def _route(self, method, path, query, headers, body):
        if path == "/identity/connect/authorize" and method == "GET":
            return self._consent(query)
        if path == "/connect/token" and method == "POST":
            return self._token(headers, parse_qs(body.decode()))
        token = headers.get("authorization", "").removeprefix("Bearer ")
        held = self.tokens.get(token)
        if held is None or held[1] < time.time():
            return _problem(401, "Unauthorized", f"TokenExpired: token expired at {datetime.now(UTC):%m/%d/%Y %H:%M:%S}",
                            {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        grant = held[0]
        if path.lower() == "/connections" and method == "GET":
            return self._connections(grant)
        if not path.startswith("/api.xro/2.0/") or method != "GET":
            return _api_exception(404, 0, "NotFound", "The resource you're looking for cannot be found")
        tenant_id = headers.get("xero-tenant-id", "")
        if tenant_id not in grant.tenants or tenant_id not in self.tenants:
            return _problem(403, "Forbidden", "AuthenticationUnsuccessful")
        limited = self._limits(tenant_id)
        if limited[0] != 200:
            return limited
        limit_headers = limited[1]
        tenant = self.tenants[tenant_id]
        resource = path.removeprefix("/api.xro/2.0/")
        try:
            since = parse_if_modified_since(headers["if-modified-since"]) if headers.get("if-modified-since") else None
        except (TypeError, ValueError):
            return _api_exception(400, 10, "ValidationException", "If-Modified-Since is not a valid date")
        if resource == "Organisation":
            status, out, payload = self._organisation(tenant)
        elif resource == "Journals":
            status, out, payload = self._journals(tenant, query, since)
        elif resource in ID_FIELD:
            status, out, payload = self._list(tenant, resource, query, since)
        else:
            status, out, payload = _api_exception(404, 0, "NotFound", "The resource you're looking for cannot be found")
        return status, {**out, **limit_headers}, payload

    def _limits(self, tenant_id: str):
        """Spend one call of the tenant's minute and day budgets and of the app's minute budget."""
        with self._lock:
            if self.server_errors_next:
                self.server_errors_next -= 1
                return _problem(503, "Service Unavailable", "The Xero API is temporarily unavailable")
            if self.throttle_next:
                self.throttle_next -= 1
                return _too_many(self.throttle_problem, self.throttle_retry_after)
            now = time.time()
            budgets = ((f"min:{tenant_id}", 60, self.per_minute, "minute"),
                       (f"day:{tenant_id}", 86400, self.per_day, "day"),
                       ("app", 60, self.app_per_minute, "appminute"))
            remaining = {}
            for key, window, limit, problem in budgets:
                calls = self._calls.setdefault(key, deque())
                while calls and calls[0] < now - window:
                    calls.popleft()
                if len(calls) >= limit:
                    return _too_many(problem, max(1, int(calls[0] + window - now) + 1))
                remaining[problem] = limit - len(calls) - 1
            for key, *_rest in budgets:
                self._calls[key].append(now)
        return 200, {"X-MinLimit-Remaining": str(remaining["minute"]), "X-DayLimit-Remaining": str(remaining["day"]),
                     "X-AppMinLimit-Remaining": str(remaining["appminute"])}, b""

    def _envelope(self, **content) -> dict[str, Any]:
        return {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": "Pilotage",
                "DateTimeUTC": xero_timestamp(datetime.now(UTC)), **content}

    def _organisation(self, tenant: Tenant):
        return _json(200, self._envelope(Organisations=[{
            "OrganisationID": tenant.tenant_id, "Name": tenant.name, "LegalName": tenant.name,
            "BaseCurrency": tenant.base_currency, "CountryCode": "GB", "OrganisationType": "COMPANY",
            "FinancialYearEndDay": tenant.financial_year_end_day,
            "FinancialYearEndMonth": tenant.financial_year_end_month, "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE", "Version": "UK", "CreatedDateUTC": xero_timestamp(datetime(2020, 1, 1, tzinfo=UTC))}]))

    def _list(self, tenant: Tenant, collection: str, query, since: datetime | None):
        rows = sorted(tenant.objects[collection].values(),
                      key=lambda o: (tenant.updated[collection][o[ID_FIELD[collection]]], o[ID_FIELD[collection]]))
        if since is not None:
            rows = [o for o in rows if tenant.updated[collection][o[ID_FIELD[collection]]] > since]
        if collection == "Contacts" and _one(query, "includeArchived").lower() != "true":
            rows = [o for o in rows if o.get("ContactStatus") != "ARCHIVED"]
        if collection not in PAGED or not _one(query, "page"):
            return _json(200, self._envelope(**{collection: rows}))
        try:
            page = int(_one(query, "page"))
            size = int(_one(query, "pageSize") or PAGE_SIZE)
        except ValueError:
            return _api_exception(400, 10, "ValidationException", "page and pageSize must be whole numbers")
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            return _api_exception(400, 10, "ValidationException",
                                  f"pageSize must be between 1 and {MAX_PAGE_SIZE}, page 1 or more")
        chunk = rows[(page - 1) * size:page * size]
        pagination = {"page": page, "pageSize": size, "pageCount": max(1, -(-len(rows) // size)), "itemCount": len(rows)}
        return _json(200, self._envelope(pagination=pagination, **{collection: chunk}))

    def _journals(self, tenant: Tenant, query, since: datetime | None):
        try:
            offset = int(_one(query, "offset") or 0)
        except ValueError:
            return _api_exception(400, 10, "ValidationException", "offset must be a journal number")
        rows = [j for j, created in zip(tenant.journals, tenant.journal_created, strict=True)
                if j["JournalNumber"] > offset and (since is None or created > since)]
        return _json(200, self._envelope(Journals=rows[:JOURNALS_PER_CALL]))

    # --- serving (integrations/fakes/serving.py) ------------------------------------------------

    content_type = "application/json; charset=utf-8"

    def before_request(self, request) -> None:
        if self.crash_after is not None and request.url.path.startswith("/api.xro/"):
            if self.crash_after <= 0:
                self.crash_after = None
                raise SimulatedCrash()
            self.crash_after -= 1


def _one(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[0]


def _money(value):
    if isinstance(value, Decimal):
        return float(value)  # Xero sends numbers; the connector reads them back as Decimal(str(x))
    raise TypeError(value)


def _json(status: int, body: Any, headers: dict[str, str] | None = None):
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, \
        json.dumps(body, default=_money).encode()


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None):
    """The shape of Xero's authentication and gateway errors."""
    return _json(status, {"Type": None, "Title": title, "Status": status, "Detail": detail,
                          "Instance": str(uuid.uuid4()), "Extensions": {}}, headers)


def _api_exception(status: int, number: int, kind: str, message: str):
    """Xero's ApiException body (validation and request errors)."""
    return _json(status, {"ErrorNumber": number, "Type": kind, "Message": message,
                          "Elements": [{"ValidationErrors": [{"Message": message}]}] if number == 10 else []})


def _too_many(problem: str, retry_after: int):
    return _json(429, {"Type": None, "Title": "Too Many Requests", "Status": 429,
                       "Detail": f"The {problem} rate limit has been exceeded"},
                 {"Retry-After": str(retry_after), "X-Rate-Limit-Problem": problem})


_default: XeroFake | None = None


def default_instance() -> XeroFake:
    """The demo's Xero organisation, built once per process."""
    def build() -> XeroFake:
        from integrations.fakes.xero_scenario import DEMO_TOKEN, demo_tenant

        tenant = demo_tenant()
        return XeroFake([tenant], tokens={DEMO_TOKEN: [tenant.tenant_id]})

    return process_fake(__name__, build)


def in_process_transport() -> httpx.MockTransport:
    return default_instance().transport()


def default_wsgi_app() -> XeroFake:
    return default_instance()
