"""A fake Zoho CRM (API v8 + Zoho Accounts OAuth) on every data centre, as README "Zoho CRM (API v8)" says
the real one behaves.

One handler serves the accounts servers and API domains of all data centres: the account lives on one
(`scenario.region`), and a code or token only works there. Reached in-process (`fake.transport()`, the
hosts of settings.ZOHO_DATA_CENTRES) or over HTTP (`manage.py fake_provider zoho --port 8270`, every
host then being the account's own).

What it reproduces: the consent redirect with `location` and `accounts-server`, the token endpoint
(codes, one-hour access tokens carrying `api_domain`, long-lived refresh tokens, at most ten access
tokens per refresh token per ten minutes, errors as 200 `{"error": ...}` bodies), the
`Zoho-oauthtoken` header (401 INVALID_TOKEN), `fields` required (400 REQUIRED_PARAM_MISSING),
`per_page` ≤ 200, `page` only within the first 2,000 records (400 DISCRETE_PAGINATION_LIMIT_EXCEEDED)
and `page_token` past them (never with `page`), `info.more_records` / `next_page_token`, sorting by id,
`If-Modified-Since` (304 when nothing changed), 204 on an empty list, converted leads hidden unless
`converted=true|both`, `/deleted?type=all`, layouts, fields metadata (what Zoho's SDK reads first), pipelines with `forecast_type`, users, /org, a
daily credit budget (X-RATELIMIT-* headers; 429 LIMIT_REACHED when spent), and faults (429
TOO_MANY_REQUESTS, 5xx, delays, a simulated crash) reused from the HubSpot fake.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from integrations.fakes import demo_seed, process_fake
from integrations.fakes.hubspot import Fault, SimulatedCrash
from integrations.fakes.serving import FakeServer, ServedFake, take_fault
from integrations.fakes.zoho_scenario import MODULES, ZohoScenario

PAGE_NUMBER_LIMIT = 2000
MAX_PER_PAGE = 200
TOKENS_PER_REFRESH = 10  # access tokens a refresh token may mint per 10 minutes
# Standard fields' (data_type, json_type) in Zoho's Fields metadata; any other field is text.
FIELD_TYPES = {
    "Amount": ("currency", "double"), "Exchange_Rate": ("double", "double"), "Probability": ("integer", "integer"),
    "Closing_Date": ("date", "string"), "Created_Time": ("datetime", "string"), "Modified_Time": ("datetime", "string"),
    "Owner": ("ownerlookup", "jsonobject"), "Stage": ("picklist", "string"), "Pipeline": ("picklist", "string"),
    "Lead_Source": ("picklist", "string"), "Industry": ("picklist", "string"), "Currency": ("picklist", "string"),
    "Email": ("email", "string"), "Website": ("website", "string"),
}
READ_SCOPES = "ZohoCRM.modules.READ,ZohoCRM.settings.READ,ZohoCRM.users.READ,ZohoCRM.org.READ"


@dataclass
class LoggedRequest:
    method: str
    host: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int


@dataclass
class ZohoFake(ServedFake):
    by_host: ClassVar[bool] = True
    scenario: ZohoScenario = field(default_factory=ZohoScenario)
    client_id: str = "fake-zoho-client-id"
    client_secret: str = "fake-zoho-client-secret"
    access_token_lifetime: int = 3600
    credits_per_day: int = 50_000
    # region → (accounts host, API host) as the connector is configured (netlocs); {} = every host is the account's
    hosts: dict[str, tuple[str, str]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    on_request: object = None  # called with each LoggedRequest (tests edit the CRM mid-sync)
    tokens: dict[str, float] = field(default_factory=dict)  # access token → expires at
    refresh_tokens: dict[str, deque] = field(default_factory=dict)  # refresh → times it minted a token
    codes: dict[str, str] = field(default_factory=dict)  # code → redirect_uri
    page_tokens: dict[str, tuple[str, int]] = field(default_factory=dict)  # token → (query key, offset)
    watches: dict[str, dict] = field(default_factory=dict)  # channel id → the accepted watch body
    credits_used: int = 0
    log: list[LoggedRequest] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- set-up helpers ---------------------------------------------------------------------------

    def issue_tokens(self) -> dict:
        """An access and a refresh token for the account, as if the admin had connected."""
        refresh = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.refresh_tokens[refresh] = deque()
        return {**self._mint(), "refresh_token": refresh}

    def issue_code(self, *, redirect_uri: str) -> str:
        """The code Zoho's consent screen hands back when the admin accepts."""
        code = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.codes[code] = redirect_uri
        return code

    def expire_access_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = time.time() - 1

    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path.startswith(path)]

    def accounts_server(self) -> str:
        host = self.hosts.get(self.scenario.region, ("", ""))[0]
        return f"http://{host}" if host else ""

    def api_domain(self) -> str:
        host = self.hosts.get(self.scenario.region, ("", ""))[1]
        return f"http://{host}" if host else ""

    # ---- the ways in ------------------------------------------------------------------------------

    def handle(self, method: str, host: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        path = path.rstrip("/") or "/"
        fault = take_fault(self.faults, self._lock, method, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.crash:
                raise SimulatedCrash(f"{method} {path}")
            if fault.status == 429:
                return self._finish(method, host, path, query, headers, *self._error(
                    429, "TOO_MANY_REQUESTS", "The number of concurrent requests has exceeded the limit."))
            if fault.status:
                return self._finish(method, host, path, query, headers,
                                    *self._error(fault.status, "INTERNAL_ERROR", "Internal Server Error"))
        try:
            answer = self._route(method, host, path, query, headers, body)
        except _Reject as reject:
            answer = reject.response
        return self._finish(method, host, path, query, headers, *answer)

    def _finish(self, method, host, path, query, headers, status, out_headers, out):
        entry = LoggedRequest(method, host, path, query, headers, status)
        with self._lock:
            self.log.append(entry)
        if self.on_request is not None:
            self.on_request(entry)
        return status, out_headers, out

    def _region_of(self, host: str, index: int) -> str | None:
        if not self.hosts:
            return self.scenario.region
        return next((r for r, hosts in self.hosts.items() if hosts[index] == host), None)

    # ---- routes -----------------------------------------------------------------------------------

    def _route(self, method, host, path, query, headers, raw):
        if path == "/oauth/v2/auth" and method == "GET":
            return self._consent(host, query)
        if path == "/oauth/v2/token" and method == "POST":
            form = {**{k: v[0] for k, v in query.items()}, **{k: v[0] for k, v in parse_qs(raw.decode()).items()}}
            return self._token(host, form)
        if not path.startswith("/crm/v8/"):
            return self._error(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")
        self._authenticate(host, headers)
        self._spend_credit()
        route = path.removeprefix("/crm/v8")
        if route == "/org":
            return self._ok({"org": [{"id": self.scenario.org_id, "company_name": self.scenario.company_name,
                                      "iso_code": self.scenario.currency, "time_zone": "Europe/Paris",
                                      "currency_locale": "fr_FR", "zgid": self.scenario.org_id}]})
        if route == "/users":
            return self._users(query)
        if route == "/settings/layouts":
            if _one(query, "module") != "Deals":
                return self._error(400, "INVALID_MODULE", "the module name given seems to be invalid")
            return self._ok({"layouts": [{"id": "5725767000000091055", "name": "Standard", "status": "active"}]})
        if route == "/settings/fields":
            return self._fields(_one(query, "module"))
        if route == "/settings/pipeline":
            if not _one(query, "layout_id"):
                return self._error(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                                   {"param": "layout_id"})
            return self._ok({"pipeline": [{"display_value": "Standard", "actual_value": "Standard", "default": True,
                                           "id": "5725767000000091023", "maps": [
                {"display_value": stage, "actual_value": stage, "id": str(5725767000000006801 + i),
                 "sequence_number": i + 1, "forecast_type": kind,
                 "forecast_category": {"name": "Closed" if kind == "Closed Won" else
                                       "Omitted" if kind == "Closed Lost" else "Pipeline", "id": str(9000 + i)}}
                for i, (stage, _probability, kind) in enumerate(self.scenario.stages)]}]})
        if route == "/actions/watch" and method == "POST":
            return self._watch(raw)
        parts = route.strip("/").split("/")
        if parts[0] not in MODULES:
            return self._error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        if len(parts) == 1:
            return self._list(parts[0], query, headers)
        if parts[1:] == ["deleted"]:
            return self._deleted(parts[0], query, headers)
        return self._error(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")

    def _fields(self, module):
        """Fields metadata (Zoho's SDK reads it before it parses a module's records): the fields the
        scenario's records carry, typed as the real standard fields are."""
        if module not in MODULES:
            return self._error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        with self.scenario.lock:
            names = dict.fromkeys(n for r in self.scenario.records[module].values() for n in r.fields
                                  if not n.startswith("$"))
        fields = []
        for i, name in enumerate(["Created_Time", "Modified_Time", *names]):
            lookup = name == "Account_Name" and module != "Accounts"
            data_type, json_type = ("lookup", "jsonobject") if lookup else FIELD_TYPES.get(name, ("text", "string"))
            entry = {"api_name": name, "field_label": name.replace("_", " "), "data_type": data_type,
                     "json_type": json_type, "id": str(5725767000000002000 + i), "custom_field": False,
                     "system_mandatory": False, "read_only": name in ("Created_Time", "Modified_Time")}
            if lookup:
                entry["lookup"] = {"module": {"api_name": "Accounts", "id": "5725767000000002175"}}
            fields.append(entry)
        return self._ok({"fields": fields})

    def _consent(self, host, query):
        region = self._region_of(host, 0)
        if _one(query, "client_id") != self.client_id or region is None:
            return 400, {"Content-Type": "text/plain"}, b"Invalid Client"
        code = self.issue_code(redirect_uri=_one(query, "redirect_uri") or "")
        # Zoho signs the user in on their own data centre, whatever the consent host was.
        params = {"code": code, "location": self.scenario.region,
                  "accounts-server": self.accounts_server() or f"http://{host}"}
        if _one(query, "state"):
            params["state"] = _one(query, "state")
        return 302, {"Location": f"{self.codes[code]}?{urlencode(params)}"}, b""

    def _token(self, host, form):
        if self._region_of(host, 0) != self.scenario.region:  # the account is not on this data centre
            return self._oauth_error("invalid_code")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return self._oauth_error("invalid_client")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            redirect = self.codes.pop(form.get("code", ""), None)
            if redirect is None or redirect != form.get("redirect_uri"):
                return self._oauth_error("invalid_code")
            return self._ok({**self.issue_tokens(), "api_domain": self.api_domain() or f"http://{host}"})
        if grant == "refresh_token":
            minted = self.refresh_tokens.get(form.get("refresh_token", ""))
            if minted is None:
                return self._oauth_error("invalid_code")
            with self._lock:
                while minted and minted[0] < time.time() - 600:
                    minted.popleft()
                if len(minted) >= TOKENS_PER_REFRESH:
                    return 400, {"Content-Type": "application/json"}, json.dumps({
                        "error_description": "You have made too many requests continuously. Please try again "
                                             "after some time.", "error": "Access Denied", "status": "failure"}).encode()
                minted.append(time.time())
            return self._ok({**self._mint(), "api_domain": self.api_domain() or f"http://{host}"})
        return self._oauth_error("unsupported_grant_type")

    def _mint(self) -> dict:
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.tokens[token] = time.time() + self.access_token_lifetime
        return {"access_token": token, "scope": READ_SCOPES, "api_domain": self.api_domain() or "",
                "token_type": "Bearer", "expires_in": self.access_token_lifetime}

    def _authenticate(self, host, headers) -> None:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme != "Zoho-oauthtoken" or not token:
            raise _Reject(self._error(401, "AUTHENTICATION_FAILURE", "Authentication failed"))
        expires = self.tokens.get(token)
        if expires is None or expires < time.time() or self._region_of(host, 1) != self.scenario.region:
            raise _Reject(self._error(401, "INVALID_TOKEN", "invalid oauth token"))

    def _spend_credit(self) -> None:
        with self._lock:
            if self.credits_used >= self.credits_per_day:
                raise _Reject(self._error(429, "LIMIT_REACHED", "API credits for the day are exhausted."))
            self.credits_used += 1

    def _credit_headers(self) -> dict[str, str]:
        return {"X-RATELIMIT-LIMIT": str(self.credits_per_day),
                "X-RATELIMIT-REMAINING": str(max(0, self.credits_per_day - self.credits_used))}

    def _users(self, query):
        users = [u for u in self.scenario.users
                 if _one(query, "type") == "AllUsers" or (u.status == "active")]
        page, per_page = self._paging(query)
        chunk = users[(page - 1) * per_page: page * per_page]
        return self._ok({"users": [{"id": u.id, "full_name": u.full_name, "email": u.email, "status": u.status}
                                   for u in chunk],
                         "info": {"per_page": per_page, "count": len(chunk), "page": page,
                                  "more_records": page * per_page < len(users)}})

    def _paging(self, query) -> tuple[int, int]:
        raw_page, raw_per = _one(query, "page") or "1", _one(query, "per_page") or "200"
        if not raw_page.isdigit() or not raw_per.isdigit() or not 1 <= int(raw_per) <= MAX_PER_PAGE:
            raise _Reject(self._error(400, "INVALID_DATA", "invalid data", {"param": "per_page"}))
        return max(1, int(raw_page)), int(raw_per)

    def _since(self, headers) -> datetime | None:
        value = headers.get("if-modified-since")
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise _Reject(self._error(400, "INVALID_DATA", "invalid If-Modified-Since", {"header": "If-Modified-Since"}))

    def _list(self, module, query, headers):
        fields = [f for raw in query.get("fields", []) for f in raw.split(",") if f]
        if not fields:
            return self._error(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                               {"param": "fields"})
        if len(fields) > 50:
            return self._error(400, "LIMIT_EXCEEDED", "fields limit exceeded", {"limit": 50})
        since = self._since(headers)
        _page, per_page = self._paging(query)
        token = _one(query, "page_token")
        if token and "page" in query:
            return self._error(400, "INVALID_DATA", "page and page_token cannot be given together")
        converted = _one(query, "converted") or "false"
        key = json.dumps([module, sorted(fields), since.isoformat() if since else "", converted,
                          _one(query, "sort_by"), _one(query, "sort_order"), per_page])
        if token:
            entry = self.page_tokens.get(token)
            if entry is None or entry[0] != key:
                return self._error(400, "INVALID_DATA", "invalid page token", {"param": "page_token"})
            offset = entry[1]
        else:
            offset = (_page - 1) * per_page
            if offset + per_page > PAGE_NUMBER_LIMIT:
                return self._error(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                                   "cannot fetch more than 2000 records using page; use page_token",
                                   {"limit": PAGE_NUMBER_LIMIT})
        with self.scenario.lock:
            pool = self.scenario.live(module)
            if module == "Leads" and converted != "both":
                pool = [r for r in pool if bool(r.fields.get("$converted")) == (converted == "true")]
            if since is not None:
                pool = [r for r in pool if r.modified > since]
            sort_by = _one(query, "sort_by") or "id"
            keys = {"id": lambda r: int(r.id), "Modified_Time": lambda r: (r.modified, int(r.id)),
                    "Created_Time": lambda r: (r.created, int(r.id))}
            pool.sort(key=keys.get(sort_by, keys["id"]), reverse=(_one(query, "sort_order") or "desc") == "desc")
            chunk = [r.as_json(fields) for r in pool[offset:offset + per_page]]
        if not pool:
            return (304 if since is not None else 204), self._credit_headers(), b""
        more = offset + per_page < len(pool)
        info = {"per_page": per_page, "count": len(chunk), "more_records": more, "sort_by": sort_by,
                "sort_order": _one(query, "sort_order") or "desc"}
        if not token:
            info["page"] = _page
        if more:
            next_token = secrets.token_hex(20)
            self.page_tokens[next_token] = (key, offset + per_page)
            info["next_page_token"] = next_token
        info["previous_page_token"] = None
        info["page_token_expiry"] = None
        return self._ok({"data": chunk, "info": info})

    def _deleted(self, module, query, headers):
        if (_one(query, "type") or "all") not in ("all", "recycle", "permanent"):
            return self._error(400, "INVALID_DATA", "invalid type", {"param": "type"})
        since = self._since(headers)
        page, per_page = self._paging(query)
        gone = [r for r in self.scenario.deleted(module) if since is None or r.deleted > since]
        chunk = gone[(page - 1) * per_page: page * per_page]
        if not gone:
            return (304 if since is not None else 204), self._credit_headers(), b""
        from integrations.fakes.zoho_scenario import zoho_time

        return self._ok({"data": [{"id": r.id, "display_name": r.fields.get("Deal_Name") or r.fields.get("Account_Name")
                                   or r.fields.get("Last_Name"), "type": "recycle", "deleted_time": zoho_time(r.deleted),
                                   "deleted_by": {"name": "Admin", "id": "1"}, "created_by": {"name": "Admin", "id": "1"}}
                                  for r in chunk],
                         "info": {"per_page": per_page, "count": len(chunk), "page": page,
                                  "more_records": page * per_page < len(gone)}})

    def _watch(self, raw):
        """Enable notifications: channel_id, events and notify_url required, channel_expiry within a week."""
        try:
            channels = json.loads(raw or b"{}").get("watch") or []
        except ValueError:
            return self._error(400, "INVALID_DATA", "invalid data")
        answers = []
        for channel in channels:
            missing = [key for key in ("channel_id", "events", "notify_url") if not channel.get(key)]
            if missing:
                return self._error(400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": missing[0]})
            expiry = channel.get("channel_expiry")
            if expiry and datetime.fromisoformat(expiry) > datetime.now(UTC) + timedelta(days=7):
                return self._error(400, "INVALID_DATA", "channel_expiry should be within a week",
                                   {"api_name": "channel_expiry"})
            self.watches[str(channel["channel_id"])] = channel
            answers.append({"code": "SUCCESS", "status": "success",
                            "message": "Successfully subscribed for actions-watch of the given module",
                            "details": {"events": [{"channel_expiry": expiry, "resource_name": event.split(".")[0],
                                                    "channel_id": channel["channel_id"]} for event in channel["events"]]}})
        return self._ok({"watch": answers})

    # ---- answers ----------------------------------------------------------------------------------

    def _ok(self, body: dict):
        return 200, {"Content-Type": "application/json;charset=UTF-8", **self._credit_headers()}, json.dumps(body).encode()

    @staticmethod
    def _error(status: int, code: str, message: str, details: dict | None = None):
        body = {"code": code, "details": details or {}, "message": message, "status": "error"}
        return status, {"Content-Type": "application/json;charset=UTF-8"}, json.dumps(body).encode()

    @staticmethod
    def _oauth_error(error: str):
        return 200, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()


class _Reject(Exception):
    def __init__(self, response):
        super().__init__(response[0])
        self.response = response


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def configured_hosts() -> dict[str, tuple[str, str]]:
    from django.conf import settings

    return {region: (urlsplit(a).netloc, urlsplit(b).netloc) for region, (a, b) in settings.ZOHO_DATA_CENTRES.items()}


# ---- the demo's fake -------------------------------------------------------------------------------

def default_fake(*, seed: int = 42, hosts: dict | None = None) -> ZohoFake:
    """Verre & Lin's Zoho CRM on the .eu data centre."""
    return ZohoFake(scenario=ZohoScenario.bois_fin(seed=seed), hosts=configured_hosts() if hosts is None else hosts)


_default: ZohoFake | None = None


def default_instance() -> ZohoFake:
    """The one fake this process serves to the Zoho data centres' fake hosts (the demo connects to it)."""
    return process_fake(__name__, lambda: default_fake(seed=demo_seed()))


def in_process_transport() -> httpx.MockTransport:
    """settings.INTEGRATIONS_IN_PROCESS_FAKES: what the fake Zoho hosts answer with."""
    return default_instance().transport()


class _FaultSwitches:
    """`manage.py fake_provider zoho --fault rate_limited=5 --fault server_errors=2 --fault delay=0.5`."""

    def __init__(self, fake: ZohoFake):
        self._fake = fake

    rate_limited = property(lambda self: 0, lambda self, v: self._fake.faults.append(Fault(status=429, times=int(v))))
    server_errors = property(lambda self: 0, lambda self, v: self._fake.faults.append(Fault(status=502, times=int(v))))
    delay = property(lambda self: 0.0, lambda self, v: self._fake.faults.append(Fault(delay=float(v), times=10**9)))
    credits_per_day = property(lambda self: self._fake.credits_per_day,
                               lambda self, v: setattr(self._fake, "credits_per_day", int(v)))


class WsgiApp(FakeServer):
    """The fake as a WSGI application (for `manage.py fake_provider zoho` or any WSGI server)."""

    def __init__(self, fake: ZohoFake):
        super().__init__(fake, _FaultSwitches(fake))

    @property
    def tokens(self) -> dict[str, str]:
        """A refresh token minted at start-up, to try the API with curl (printed by the command)."""
        if not self.fake.refresh_tokens:
            self.fake.issue_tokens()
        return {token: f"Zoho org {self.fake.scenario.org_id} (refresh token)" for token in self.fake.refresh_tokens}


def default_wsgi_app() -> WsgiApp:
    """registry.FAKE_SERVERS: the demo's fake served over HTTP (every host is the account's data centre)."""
    return WsgiApp(ZohoFake(scenario=ZohoScenario.bois_fin(), hosts={}))


__all__ = ["Fault", "SimulatedCrash", "ZohoFake", "default_fake"]
