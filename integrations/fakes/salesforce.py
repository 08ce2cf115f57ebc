"""A fake Salesforce (OAuth 2.0 web-server flow + REST API) that behaves as the REST API Developer
Guide describes the real one, for the connector's tests and the demo.

One request handler (`SalesforceFake.handle`) serves every host the connector talks to: the login
hosts (`login.salesforce.com`, or `test.salesforce.com` for a sandbox; the token endpoint refuses
the host the org does not live on) and the org's instance URL. It reproduces:
- `/services/oauth2/authorize` (consent: redirects back with `code` and `state`) and
  `/services/oauth2/token` (authorization_code and refresh_token grants; the response carries
  `access_token`, `instance_url`, `id`, `issued_at`, `signature`, `scope`, and `refresh_token` only
  for the code grant when the `refresh_token` scope was asked: refresh tokens do not rotate);
- `/services/data/vNN.N/query` and `/queryAll` with the SOQL subset the connector sends
  (`SELECT fields FROM object [WHERE a op v AND …] [ORDER BY f, …] [LIMIT n]`), `totalSize`, `done`,
  `nextRecordsUrl` (a query locator over the results as they were when the query ran; 2,000 a batch,
  or `Sforce-Query-Options: batchSize=N`), `queryAll` returning deleted and merged rows;
- `/sobjects/<type>/deleted/?start=&end=` (a 30-day window, `earliestDateAvailable`);
- `SELECT COUNT() FROM object` (`totalSize`, no records);
- Bulk API 2.0 query jobs: `POST /jobs/query` (`operation` query or queryAll; the results are taken when
  the job is created), `GET /jobs/query/<id>` whose `state` goes UploadComplete → InProgress → JobComplete
  over `bulk_polls_to_complete` polls (or Failed with `errorMessage` when `bulk_fail` is set), and
  `GET /jobs/query/<id>/results?locator=&maxRecords=` as CSV pages (`bulk_page_size` rows at most) with
  `Sforce-Locator` ("null" after the last page) and `Sforce-NumberOfRecords`;
- the `Sforce-Limit-Info: api-usage=N/M` header of the org's daily allocation, and
  `REQUEST_LIMIT_EXCEEDED` once it is spent;
- error bodies as Salesforce writes them, a JSON list `[{"message", "errorCode"}]`: 401
  `INVALID_SESSION_ID`, 400 `MALFORMED_QUERY` / `INVALID_FIELD` / `INVALID_TYPE`, 503 `SERVER_UNAVAILABLE`;
- faults switched on per test or from the command line (5xx, 401, concurrency limit, delays, a crash).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode

import httpx

from integrations.fakes import demo_seed, process_fake
from integrations.fakes.hubspot import SimulatedCrash
from integrations.fakes.salesforce_scenario import FIELDS, OBJECTS, SalesforceScenario, sf_datetime
from integrations.fakes.serving import FakeServer, ServedFake, take_fault

DEFAULT_BATCH = 2000
MIN_BATCH = 200
DELETED_WINDOW = timedelta(days=30)
INSTANCE_URL = "http://boisfin.my.salesforce.fake"
DEMO_CLIENT_ID = "fake-sf-consumer-key"
DEMO_CLIENT_SECRET = "fake-sf-consumer-secret"
ERRORS = {400: "MALFORMED_QUERY", 401: "INVALID_SESSION_ID", 403: "REQUEST_LIMIT_EXCEEDED", 404: "NOT_FOUND",
          500: "UNKNOWN_EXCEPTION", 502: "SERVER_UNAVAILABLE", 503: "SERVER_UNAVAILABLE"}
MESSAGES = {401: "Session expired or invalid", 403: "ConcurrentPerOrgLongTxn Limit exceeded.",
            500: "An unexpected error occurred.", 502: "Server unavailable", 503: "Server unavailable"}


@dataclass
class Fault:
    """Answer `times` matching requests (path prefix) with `status`, or delay them, or crash the worker."""

    status: int = 0
    times: int = 1
    path: str = ""
    delay: float = 0.0
    crash: bool = False
    skip: int = 0
    error_code: str = ""  # the body's errorCode (default: Salesforce's usual one for the status)
    message: str = ""

    def matches(self, path: str) -> bool:
        return path.startswith(self.path)


@dataclass
class LoggedRequest:
    method: str
    host: str
    path: str
    query: dict[str, list[str]]
    status: int
    soql: str = ""


@dataclass
class SalesforceFake(ServedFake):
    by_host: ClassVar[bool] = True
    scenario: SalesforceScenario = field(default_factory=SalesforceScenario)
    instance_url: str = INSTANCE_URL
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    api_version: str = "62.0"
    session_seconds: int = 7200
    daily_limit: int = 100_000
    api_used: int = 0
    batch_size: int = DEFAULT_BATCH
    bulk_page_size: int = 10_000  # rows of a Bulk API 2.0 results page (Salesforce picks its own size too)
    bulk_polls_to_complete: int = 2  # polls a query job answers before JobComplete
    bulk_fail: str = ""  # when set, query jobs end Failed with this errorMessage
    faults: list[Fault] = field(default_factory=list)
    on_request: Any = None  # called with each LoggedRequest once answered (tests edit data mid-sync)
    tokens: dict[str, float] = field(default_factory=dict)  # access token → expiry (time.time())
    refresh_tokens: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)  # code → redirect_uri
    log: list[LoggedRequest] = field(default_factory=list)
    _locators: dict[str, list[dict]] = field(default_factory=dict)
    _jobs: dict[str, dict] = field(default_factory=dict)  # job id → {"info", "fields", "rows", "polls"}
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- set-up helpers ----------------------------------------------------------------------------

    @property
    def user_id(self) -> str:
        return next(iter(self.scenario.users), "0055g0000000000AAA")

    def issue_tokens(self) -> dict[str, Any]:
        """What the token endpoint answers to a code exchange (for tests and the demo that skip the consent)."""
        return self._token_body(refresh=True, scopes="api refresh_token")

    def issue_code(self, *, redirect_uri: str) -> str:
        code = f"aPrx{secrets.token_urlsafe(24)}"
        self.codes[code] = redirect_uri
        return code

    def expire_access_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = time.time() - 1

    def queries(self, sobject: str = "", endpoint: str = "") -> list[LoggedRequest]:
        return [r for r in self.log if r.soql and (not sobject or re.search(rf"\bFROM {sobject}\b", r.soql))
                and (not endpoint or r.path.rsplit("/", 1)[-1] == endpoint)]

    @property
    def bulk_jobs(self) -> list[dict]:
        """The Bulk API 2.0 query jobs created, oldest first (what `GET /jobs/query/<id>` answers)."""
        return [job["info"] for job in self._jobs.values()]

    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.log if path in r.path]

    # ---- the two ways in ---------------------------------------------------------------------------

    def handle(self, method: str, host: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        fault = take_fault(self.faults, self._lock, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.crash:
                raise SimulatedCrash(f"{method} {path}")
            if fault.status:
                return self._finish(method, host, path, query,
                                    *self._error(fault.status, fault.message, fault.error_code))
        try:
            status, out_headers, out = self._route(method, host, path.rstrip("/") or "/", query, headers, body)
        except _Reject as reject:
            status, out_headers, out = reject.response
        return self._finish(method, host, path, query, status, out_headers, out)

    def _finish(self, method, host, path, query, status, headers, body):
        soql = (query.get("q") or [""])[0]
        if not soql and "/query/" in path:
            soql = "(more)"
        entry = LoggedRequest(method, host, path, query, status, soql)
        with self._lock:
            self.log.append(entry)
        if self.on_request is not None:
            self.on_request(entry)
        return status, headers, body

    # ---- routing -----------------------------------------------------------------------------------

    def _route(self, method, host, path, query, headers, raw):
        if path == "/services/oauth2/authorize" and method == "GET":
            return self._authorize(query)
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(host, parse_qs(raw.decode() if raw else ""))
        match = re.fullmatch(r"/services/data/v(\d+\.\d)(/.*)?", path)
        if not match:
            return self._error(404, "The requested resource does not exist", "NOT_FOUND")
        self._authenticate(headers)
        with self._lock:
            self.api_used += 1
            used = self.api_used
        if used > self.daily_limit:
            return self._error(403, "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED")
        rest = match.group(2) or ""
        status, out_headers, out = self._api(method, rest, query, headers, raw)
        return status, {**out_headers, "Sforce-Limit-Info": f"api-usage={used}/{self.daily_limit}"}, out

    def _api(self, method, rest, query, headers, raw=b""):
        if rest == "/jobs/query" and method == "POST":
            return self._create_job(raw)
        job = re.fullmatch(r"/jobs/query/(\w+)(/results)?", rest)
        if job and method == "GET":
            return self._job_results(job.group(1), query) if job.group(2) else self._job_info(job.group(1))
        if method != "GET":
            return self._error(405, "HTTP Method not allowed", "METHOD_NOT_ALLOWED")
        if rest in ("/query", "/queryAll"):
            return self._query((query.get("q") or [""])[0], include_deleted=rest == "/queryAll", headers=headers)
        more = re.fullmatch(r"/(?:query|queryAll)/([\w]+)-(\d+)", rest)
        if more:
            return self._more(more.group(1), int(more.group(2)), headers)
        deleted = re.fullmatch(r"/sobjects/(\w+)/deleted", rest)
        if deleted:
            return self._deleted(deleted.group(1), query)
        return self._error(404, "The requested resource does not exist", "NOT_FOUND")

    # ---- OAuth -------------------------------------------------------------------------------------

    def _authorize(self, query):
        client_id, redirect_uri = (query.get("client_id") or [""])[0], (query.get("redirect_uri") or [""])[0]
        if query.get("response_type") != ["code"] or client_id != self.client_id or not redirect_uri:
            return _json(400, {"error": "invalid_client_id", "error_description": "client identifier invalid"})
        code = self.issue_code(redirect_uri=redirect_uri)
        state = (query.get("state") or [""])[0]
        location = f"{redirect_uri}?{urlencode({'code': code, **({'state': state} if state else {})})}"
        return 302, {"Location": location}, b""

    def _login_host_ok(self, host: str) -> bool:
        sandbox_host = host.startswith("test.")
        return host.startswith(("test.", "login.")) is False or sandbox_host == self.scenario.is_sandbox

    def _token(self, host, form):
        def refuse(error: str, description: str):
            return _json(400, {"error": error, "error_description": description})

        if (form.get("client_id") or [""])[0] != self.client_id or \
                (form.get("client_secret") or [""])[0] != self.client_secret:
            return refuse("invalid_client", "invalid client credentials")
        if not self._login_host_ok(host):
            return refuse("invalid_grant", "authentication failure")  # a production org asked on the sandbox host
        grant = (form.get("grant_type") or [""])[0]
        if grant == "authorization_code":
            code = (form.get("code") or [""])[0]
            with self._lock:
                redirect = self.codes.pop(code, None)
            if redirect is None or redirect != (form.get("redirect_uri") or [""])[0]:
                return refuse("invalid_grant", "invalid authorization code")
            return _json(200, self._token_body(refresh=True, scopes="api refresh_token"))
        if grant == "refresh_token":
            if (form.get("refresh_token") or [""])[0] not in self.refresh_tokens:
                return refuse("invalid_grant", "expired access/refresh token")
            return _json(200, self._token_body(refresh=False, scopes="api refresh_token"))
        return refuse("unsupported_grant_type", "grant type not supported")

    def _token_body(self, *, refresh: bool, scopes: str) -> dict[str, Any]:
        access = f"{self.scenario.org_id[:15]}!AR{secrets.token_urlsafe(32)}"
        self.tokens[access] = time.time() + self.session_seconds
        identity = f"https://login.salesforce.com/id/{self.scenario.org_id}/{self.user_id}"
        issued_at = str(int(time.time() * 1000))
        signature = base64.b64encode(hmac.new(self.client_secret.encode(), (identity + issued_at).encode(),
                                              hashlib.sha256).digest()).decode()
        body = {"access_token": access, "instance_url": self.instance_url, "id": identity, "token_type": "Bearer",
                "issued_at": issued_at, "signature": signature, "scope": scopes}
        if refresh and "refresh_token" in scopes.split():
            token = f"5Aep{secrets.token_urlsafe(40)}"
            self.refresh_tokens.add(token)
            body["refresh_token"] = token
        return body

    def _authenticate(self, headers):
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.startswith(("Bearer ", "OAuth ")) else ""
        if self.tokens.get(token, 0) < time.time():
            raise _Reject(self._error(401, "Session expired or invalid", "INVALID_SESSION_ID"))

    # ---- SOQL --------------------------------------------------------------------------------------

    def _rows(self, sobject: str) -> list[dict]:
        s = self.scenario
        if sobject in OBJECTS:
            return list(s.records[sobject].values())
        if sobject == "User":
            return list(s.users.values())
        if sobject == "OpportunityStage":
            return s.stages
        if sobject == "Organization":
            return [{"Id": s.org_id, "Name": s.org_name, "IsSandbox": s.is_sandbox,
                     "DefaultCurrencyIsoCode": s.corporate_currency}]
        if sobject == "CurrencyType" and s.multi_currency:
            return s.currencies
        if sobject == "DatedConversionRate" and s.multi_currency:
            return s.dated_rates
        raise _Reject(self._error(400, f"sObject type '{sobject}' is not supported.", "INVALID_TYPE"))

    def _query(self, soql: str, *, include_deleted: bool, headers: dict[str, str]):
        count = re.fullmatch(r"SELECT\s+COUNT\(\)\s+FROM\s+(\w+)", soql.strip(), re.IGNORECASE)
        if count:
            live = [r for r in self._rows(count.group(1)) if include_deleted or not r.get("IsDeleted")]
            return _json(200, {"totalSize": len(live), "done": True, "records": []})
        sobject, fields, matched = self._select(soql, include_deleted=include_deleted)
        # The locator holds the results as they were when the query ran.
        snapshot = [self._shape(sobject, r, fields) for r in matched]
        locator = f"01g{secrets.token_hex(7)}"
        with self._lock:
            self._locators[locator] = snapshot
        return self._more(locator, 0, headers)

    def _select(self, soql: str, *, include_deleted: bool) -> tuple[str, list[str], list[dict]]:
        """(object, fields, matching rows) of a SELECT; a malformed one or an unknown field is a _Reject."""
        parsed = _SOQL.fullmatch(soql.strip())
        if not parsed:
            raise _Reject(self._error(400, "unexpected token in the query", "MALFORMED_QUERY"))
        fields = [f.strip() for f in parsed.group("fields").split(",")]
        sobject = parsed.group("object")
        rows = self._rows(sobject)
        known = FIELDS.get(sobject, set())
        if sobject == "Opportunity" and not self.scenario.multi_currency:
            known = known - {"CurrencyIsoCode"}
        for name in fields + _order_fields(parsed.group("order")):
            if name not in known:
                raise _Reject(self._error(400, f"No such column '{name}' on entity '{sobject}'.", "INVALID_FIELD"))
        conditions = _conditions(parsed.group("where"), known)
        if conditions is None:
            raise _Reject(self._error(400, "unexpected token in the WHERE clause", "MALFORMED_QUERY"))
        matched = [r for r in rows if (include_deleted or not r.get("IsDeleted"))
                   and all(op(_comparable(r.get(name)), value) for name, op, value in conditions)]
        for name in reversed(_order_fields(parsed.group("order"))):
            matched.sort(key=lambda r, n=name: (_comparable(r.get(n)) is None, _comparable(r.get(n)) or ""))
        if parsed.group("limit"):
            matched = matched[:int(parsed.group("limit"))]
        return sobject, fields, matched

    def _more(self, locator: str, offset: int, headers: dict[str, str]):
        rows = self._locators.get(locator)
        if rows is None or offset > len(rows):
            return self._error(400, "invalid query locator", "INVALID_QUERY_LOCATOR")
        batch = self.batch_size
        option = re.search(r"batchSize=(\d+)", headers.get("sforce-query-options", ""))
        if option:
            batch = max(MIN_BATCH, min(DEFAULT_BATCH, int(option.group(1))))
        page = rows[offset:offset + batch]
        done = offset + len(page) >= len(rows)
        body = {"totalSize": len(rows), "done": done, "records": page}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/v{self.api_version}/query/{locator}-{offset + len(page)}"
        return _json(200, body)

    def _shape(self, sobject: str, row: dict, fields: list[str]) -> dict:
        out: dict[str, Any] = {"attributes": {"type": sobject, "url": f"/services/data/v{self.api_version}/sobjects/"
                                                                      f"{sobject}/{row.get('Id', '')}"}}
        for name in fields:
            value = row.get(name)
            out[name] = sf_datetime(value) if isinstance(value, datetime) else value
        return out

    # ---- Bulk API 2.0 query jobs ----------------------------------------------------------------------

    def _create_job(self, raw: bytes):
        try:
            spec = json.loads(raw or b"{}")
        except ValueError:
            return self._error(400, "Invalid JSON in the request body", "JSON_PARSER_ERROR")
        operation = spec.get("operation")
        if operation not in ("query", "queryAll") or not spec.get("query"):
            return self._error(400, "operation must be query or queryAll, with a query", "INVALIDJOB")
        sobject, fields, matched = self._select(spec["query"], include_deleted=operation == "queryAll")
        job_id = f"750{secrets.token_hex(6)}"
        now = sf_datetime(datetime.now(UTC))
        info = {"id": job_id, "operation": operation, "object": sobject, "createdById": self.user_id,
                "createdDate": now, "systemModstamp": now, "state": "UploadComplete", "concurrencyMode": "Parallel",
                "contentType": "CSV", "apiVersion": float(self.api_version), "lineEnding": "LF",
                "columnDelimiter": "COMMA"}
        with self._lock:  # the results are the rows as they were when the job was created
            self._jobs[job_id] = {"info": info, "fields": fields, "polls": 0,
                                  "rows": [[_csv_value(r.get(name)) for name in fields] for r in matched]}
        return _json(200, info)

    def _job_info(self, job_id: str):
        job = self._jobs.get(job_id)
        if job is None:
            return self._error(404, "The requested resource does not exist", "NOT_FOUND")
        with self._lock:
            job["polls"] += 1
            info = job["info"]
            if info["state"] in ("UploadComplete", "InProgress"):
                if job["polls"] < self.bulk_polls_to_complete:
                    info["state"] = "InProgress"
                elif self.bulk_fail:
                    info.update(state="Failed", errorMessage=self.bulk_fail)
                else:
                    info.update(state="JobComplete", numberRecordsProcessed=len(job["rows"]), retries=0,
                                totalProcessingTime=120)
        return _json(200, info)

    def _job_results(self, job_id: str, query):
        job = self._jobs.get(job_id)
        if job is None:
            return self._error(404, "The requested resource does not exist", "NOT_FOUND")
        if job["info"]["state"] != "JobComplete":
            return self._error(400, f"job {job_id} is not complete", "INVALIDJOBSTATE")
        locator = (query.get("locator") or [""])[0]
        try:
            offset = int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()) if locator else 0
        except ValueError:
            return self._error(400, "invalid locator", "INVALID_LOCATOR")
        size = self.bulk_page_size
        if (query.get("maxRecords") or [""])[0].isdigit():
            size = min(size, int(query["maxRecords"][0]))
        page = job["rows"][offset:offset + size]
        following = offset + len(page)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(job["fields"])
        writer.writerows(page)
        next_locator = base64.b64encode(str(following).encode()).decode().rstrip("=") \
            if following < len(job["rows"]) else "null"
        return 200, {"Content-Type": "text/csv", "Sforce-Locator": next_locator,
                     "Sforce-NumberOfRecords": str(len(page))}, out.getvalue().encode()

    def _deleted(self, sobject: str, query):
        if sobject not in OBJECTS:
            return self._error(404, f"The requested resource does not exist: {sobject}", "NOT_FOUND")
        try:
            start = _parse_dt((query.get("start") or [""])[0])
            end = _parse_dt((query.get("end") or [""])[0])
        except ValueError:
            return self._error(400, "start and end must be dateTimes", "INVALID_REPLICATION_DATE")
        earliest = datetime.now(UTC) - DELETED_WINDOW
        if start < earliest - timedelta(minutes=1) or end <= start:
            return self._error(400, "startDate before the earliest date available", "INVALID_REPLICATION_DATE")
        gone = [{"id": r["Id"], "deletedDate": sf_datetime(r["SystemModstamp"])}
                for r in self.scenario.records[sobject].values() if r.get("IsDeleted")
                and start <= r["SystemModstamp"] < end]
        gone += [{"id": i, "deletedDate": sf_datetime(at)} for i, at in self.scenario.purged[sobject].items()
                 if start <= at < end]
        return _json(200, {"deletedRecords": gone, "earliestDateAvailable": sf_datetime(earliest),
                           "latestDateCovered": sf_datetime(end)})

    @staticmethod
    def _error(status: int, message: str = "", code: str = ""):
        return _json(status, [{"message": message or MESSAGES.get(status, "Error"),
                               "errorCode": code or ERRORS.get(status, "UNKNOWN_EXCEPTION")}])


class _Reject(Exception):
    def __init__(self, response):
        super().__init__("rejected")
        self.response = response


def _csv_value(value) -> str:
    """How a Bulk API 2.0 CSV writes a value: empty for null, true/false, ISO datetimes in UTC with Z."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json;charset=UTF-8"}, json.dumps(body).encode()


_SOQL = re.compile(r"SELECT\s+(?P<fields>[\w\s,]+?)\s+FROM\s+(?P<object>\w+)"
                   r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER\s+BY\s+(?P<order>[\w\s,]+?))?"
                   r"(?:\s+LIMIT\s+(?P<limit>\d+))?", re.IGNORECASE | re.DOTALL)
_CONDITION = re.compile(r"(\w+)\s*(>=|<=|!=|=|>|<)\s*('(?:[^'\\]|\\.)*'|[\w:.+-]+)")
_OPS = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b,
        ">": lambda a, b: a is not None and a > b, ">=": lambda a, b: a is not None and a >= b,
        "<": lambda a, b: a is not None and a < b, "<=": lambda a, b: a is not None and a <= b}


def _order_fields(order: str | None) -> list[str]:
    return [part.split()[0] for part in (order or "").split(",") if part.strip()]


def _conditions(where: str | None, known: set[str]):
    if not where:
        return []
    out = []
    for part in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
        match = _CONDITION.fullmatch(part.strip())
        if not match or match.group(1) not in known:
            return None
        out.append((match.group(1), _OPS[match.group(2)], _literal(match.group(3))))
    return out


def _literal(text: str):
    if text.startswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", text):
        return _parse_dt(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return float(text)


def _parse_dt(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _comparable(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# ---- the served fake (demo, `manage.py fake_provider salesforce`) -----------------------------------

_default: SalesforceFake | None = None


def default_fake(*, seed: int = 42) -> SalesforceFake:
    """Atelier Bois Fin's org (SalesforceScenario.boisfin), production login, 100,000 API calls a day."""
    return SalesforceFake(scenario=SalesforceScenario.boisfin(seed=seed))


def default_instance() -> SalesforceFake:
    """The one fake this process serves to the `*.salesforce.fake` hosts (the demo connects to it)."""
    return process_fake(__name__, lambda: default_fake(seed=demo_seed()))


def in_process_transport() -> httpx.MockTransport:
    """settings.INTEGRATIONS_IN_PROCESS_FAKES: what the `*.salesforce.fake` hosts answer with."""
    return default_instance().transport()


class _FaultSwitches:
    """`manage.py fake_provider salesforce --fault server_errors=2 --fault delay=0.5 --fault daily_limit=500`."""

    def __init__(self, fake: SalesforceFake):
        self._fake = fake

    def _set(self, name: str, value) -> None:
        if name == "server_errors":
            self._fake.faults.append(Fault(status=503, times=int(value)))
        elif name == "delay":
            self._fake.faults.append(Fault(delay=float(value), times=10**9))
        elif name == "daily_limit":
            self._fake.daily_limit = int(value)
        elif name == "batch_size":
            self._fake.batch_size = int(value)

    server_errors = property(lambda self: 0, lambda self, v: self._set("server_errors", v))
    delay = property(lambda self: 0.0, lambda self, v: self._set("delay", v))
    daily_limit = property(lambda self: self._fake.daily_limit, lambda self, v: self._set("daily_limit", v))
    batch_size = property(lambda self: self._fake.batch_size, lambda self, v: self._set("batch_size", v))


class WsgiApp(FakeServer):
    """The fake as a WSGI application (for `manage.py fake_provider salesforce` or any WSGI server)."""

    def __init__(self, fake: SalesforceFake):
        super().__init__(fake, _FaultSwitches(fake))

    @property
    def tokens(self) -> dict[str, str]:
        """Printed by the command at start-up: an access token the admin can try with curl."""
        token = self.fake.issue_tokens()["access_token"]
        return {token: f"org {self.fake.scenario.org_id}"}


def default_wsgi_app() -> WsgiApp:
    """registry.FAKE_SERVERS: the demo's fake (Atelier Bois Fin's org) as a WSGI app."""
    return WsgiApp(default_instance())


__all__ = ["Fault", "SalesforceFake", "SimulatedCrash", "default_fake"]
