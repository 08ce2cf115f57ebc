"""A fake HubSpot (CRM v3 + OAuth) that behaves as INTEGRATIONS.md describes the real one.

One request handler (`HubSpotFake.handle`) serves both ways of reaching it:
- in-process, as an httpx transport (`fake.transport()`), for tests and the demo;
- over real HTTP on 127.0.0.1 (`fake.serve(port)`, or `python manage.py fake_provider hubspot --port 8102`).

What it reproduces: bearer auth (401 for an unknown, expired or malformed token, 403 missing
scopes), paths matched as HubSpot matches them (with or without a trailing slash, object types by
name or id), string-typed properties (`properties=a,b` or repeated `properties=a&properties=b`),
`paging.next.after` cursors, reads by id and batch reads (207 with one error naming the missing ids),
search with filterGroups and sorts and its result cap (400 past it) and per-second limit,
archived lists, deal pipelines, owners, v4 association batch reads (207 when some objects have
none), the OAuth token endpoint with refresh (optionally rotating refresh tokens), error bodies
`{status, message, correlationId, category}`, 429 bodies with `policyName` (and `Retry-After`
only sometimes), and switchable faults (429 bursts, 5xx, slow responses, a simulated crash).
Every answer is one the official client (`hubspot-api-client`) parses in strict mode
(tests/integrations/contract/test_hubspot_contract.py).
"""

from __future__ import annotations

import json
import math
import operator
import re
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from integrations.fakes import demo_seed, process_fake
from integrations.fakes.hubspot_scenario import LAST_MODIFIED, FakeObject, HubSpotScenario, iso
from integrations.fakes.serving import FakeServer, ServedFake, take_fault

SEARCH_CAP = 10_000
SEARCH_PER_SECOND = 4  # HubSpot's changelog "CRM Search API rate limit increase": 4 requests/s per token
BATCH_READ_MAX = 100
# HubSpot names its standard objects in paths by plural, singular or object type id.
OBJECT_ALIASES = {"companies": "companies", "company": "companies", "0-2": "companies",
                  "contacts": "contacts", "contact": "contacts", "0-1": "contacts",
                  "deals": "deals", "deal": "deals", "0-3": "deals"}
READ_SCOPES = ["crm.objects.companies.read", "crm.objects.contacts.read", "crm.objects.deals.read",
               "crm.objects.owners.read", "oauth"]
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9._\-]{8,}$")


class SimulatedCrash(BaseException):
    """Raised by the in-process transport to stand for a worker killed mid-sync (SIGKILL)."""


@dataclass
class Fault:
    """Answer `times` matching requests with `status` (and optionally no Retry-After), or delay them."""

    status: int = 0  # 0: no status fault (only `delay`, or `crash`)
    times: int = 1
    path: str = ""  # prefix the request path must start with ("" = any)
    method: str = ""
    retry_after: float | None = None  # only for 429; None = header absent
    delay: float = 0.0
    crash: bool = False
    skip: int = 0  # let this many matching requests through first

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path) and (not self.method or self.method == method)


@dataclass
class Token:
    value: str
    kind: str  # "private" | "oauth"
    scopes: list[str]
    expires_at: float | None = None  # time.time(); None: never (private-app tokens)


@dataclass
class Limits:
    """Per-token budgets the fake enforces (None = not enforced)."""

    ten_secondly: int | None = 190
    search_per_second: int | None = None  # the served fake (default_fake) enforces SEARCH_PER_SECOND
    daily: int | None = None  # private apps: 250,000 to 1,000,000 a day depending on the plan


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None
    status: int
    at: float
    token: str = ""


@dataclass
class HubSpotFake(ServedFake):
    scenario: HubSpotScenario = field(default_factory=HubSpotScenario)
    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"
    access_token_lifetime: int = 1800
    rotate_refresh_tokens: bool = False
    limits: Limits = field(default_factory=Limits)
    faults: list[Fault] = field(default_factory=list)
    storm: tuple[float, int] | None = None  # (probability, seed): random 429s without Retry-After
    search_cap: int = SEARCH_CAP
    on_request: object = None  # called with each LoggedRequest after it was answered (tests edit data mid-sync)
    evolve_every: float | None = None  # seconds: the demo's CRM changes by itself as time passes
    _evolved_at: float = field(default_factory=time.time)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, list[str]] = field(default_factory=dict)  # refresh → scopes
    codes: dict[str, dict] = field(default_factory=dict)
    log: list[LoggedRequest] = field(default_factory=list)
    _hits: dict[str, deque] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _storm_rng: object = None
    _query_cache: dict = field(default_factory=dict)
    _daily: dict[str, int] = field(default_factory=dict)

    # ---- set-up helpers ----------------------------------------------------------------------

    def add_private_token(self, value: str | None = None, *, scopes: list[str] | None = None) -> str:
        value = value or f"pat-eu1-{uuid.uuid4()}"
        self.tokens[value] = Token(value, "private", list(scopes or READ_SCOPES))
        return value

    def issue_code(self, *, redirect_uri: str, scopes: list[str] | None = None) -> str:
        code = f"code-{secrets.token_hex(8)}"
        self.codes[code] = {"redirect_uri": redirect_uri, "scopes": list(scopes or READ_SCOPES)}
        return code

    def expire_access_tokens(self) -> None:
        for token in self.tokens.values():
            if token.kind == "oauth":
                token.expires_at = time.time() - 1

    def tick(self) -> int:
        """Apply the evolution steps due since the last tick (`evolve_every`); returns how many."""
        if not self.evolve_every:
            return 0
        with self._lock:
            steps = int((time.time() - self._evolved_at) // self.evolve_every)
            if steps:
                self._evolved_at += steps * self.evolve_every
        if steps:
            self.scenario.evolve(min(steps, 5))
        return steps

    def requests_to(self, path: str, method: str = "") -> list[LoggedRequest]:
        return [r for r in self.log if r.path.startswith(path) and (not method or r.method == method)]

    # ---- the two ways in ---------------------------------------------------------------------

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        """Start a real HTTP server in a daemon thread; `server.server_address[1]` is the port."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, headers, payload = fake.handle(
                        self.command, split.path, parse_qs(split.query, keep_blank_values=True),
                        {k.lower(): v for k, v in self.headers.items()}, body,
                    )
                except SimulatedCrash:
                    self.close_connection = True
                    return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args) -> None:  # quiet: tests and the demo print their own story
                return None

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True, name="hubspot-fake").start()
        return server

    # ---- request handling --------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        path = _normalise(path)
        payload = None
        if body and "json" in headers.get("content-type", ""):
            try:
                payload = json.loads(body)
            except ValueError:
                return self._finish(method, path, query, None, *self._error(400, "Invalid JSON", "VALIDATION_ERROR"))
        self.tick()
        fault = take_fault(self.faults, self._lock, method, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.crash:
                raise SimulatedCrash(f"{method} {path}")
            if fault.status == 429:
                return self._finish(method, path, query, payload, *self._rate_limited(fault.retry_after))
            if fault.status:
                return self._finish(method, path, query, payload,
                                    *self._error(fault.status, "Injected failure", "INTERNAL_ERROR"))
        if self.storm is not None:
            with self._lock:
                if self._storm_rng is None:
                    import random

                    self._storm_rng = random.Random(self.storm[1])
                hit = self._storm_rng.random() < self.storm[0]
            if hit:
                return self._finish(method, path, query, payload, *self._rate_limited(None))
        try:
            status, out_headers, out = self._route(method, path, query, headers, body, payload)
        except _Reject as reject:
            status, out_headers, out = reject.response
        if status < 400 and path.startswith("/crm/") and not path.endswith("/search"):
            out_headers = {**out_headers, **self._budget_headers(headers.get("authorization", "")[7:])}
        return self._finish(method, path, query, payload, status, out_headers, out, token=headers.get("authorization", ""))

    def _finish(self, method, path, query, payload, status, headers, body, token: str = ""):
        entry = LoggedRequest(method, path, query, payload, status, time.monotonic(), token[7:])
        with self._lock:
            self.log.append(entry)
        if self.on_request is not None:
            self.on_request(entry)
        return status, headers, body

    def _route(self, method, path, query, headers, raw, payload):
        if path == "/oauth/v1/token" and method == "POST":
            return self._oauth_token(parse_qs(raw.decode() if raw else ""))
        if path == "/oauth/authorize" and method == "GET":
            return self._oauth_authorize(query)
        match = re.fullmatch(r"/oauth/v1/access-tokens/([^/]+)", path)
        if match and method == "GET":
            return self._access_token_info(match.group(1))

        token = self._authenticate(headers)
        search = path.endswith("/search")
        self._check_limits(token, search)
        if path == "/account-info/v3/details" and method == "GET":
            return _json(200, {"portalId": self.scenario.hub_id, "accountType": "STANDARD",
                               "timeZone": "Europe/Paris", "companyCurrency": "EUR",
                               "uiDomain": "app-eu1.hubspot.com", "dataHostingLocation": "eu1"})
        if path == "/crm/v3/pipelines/deals" and method == "GET":
            self._require_scope(token, "crm.objects.deals.read")
            return _json(200, {"results": self.scenario.pipelines})
        if path == "/crm/v3/owners" and method == "GET":
            self._require_scope(token, "crm.objects.owners.read")
            return self._owners(query)
        match = re.fullmatch(r"/crm/v3/owners/(\d+)", path)
        if match and method == "GET":
            self._require_scope(token, "crm.objects.owners.read")
            return self._owner(match.group(1), query)
        match = re.fullmatch(r"/crm/v3/objects/([\w-]+)(?:/(search|batch/read|[^/]+))?", path)
        if match:
            type_ = OBJECT_ALIASES.get(match.group(1).lower())
            if type_ is None:
                raise _Reject(self._error(400, f"Unable to infer object type from: {match.group(1)}",
                                          "VALIDATION_ERROR"))
            self._require_scope(token, f"crm.objects.{type_}.read")
            action = match.group(2)
            if action == "search" and method == "POST":
                return self._search(type_, payload or {})
            if action == "batch/read" and method == "POST":
                return self._batch_read(type_, query, payload or {})
            if action is None and method == "GET":
                return self._list(type_, query)
            if action not in (None, "search", "batch/read") and method == "GET":
                return self._get(type_, action, query)
        match = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", path)
        if match and method == "POST":
            self._require_scope(token, f"crm.objects.{match.group(1)}.read")
            return self._associations(match.group(1), match.group(2), payload or {})
        return self._error(404, f"No route for {method} {path}", "OBJECT_NOT_FOUND")

    # ---- auth --------------------------------------------------------------------------------

    def _authenticate(self, headers: dict[str, str]) -> Token:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            raise _Reject(self._error(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                                           "authentication.", "INVALID_AUTHENTICATION"))
        value = auth[7:].strip()
        if not TOKEN_SHAPE.match(value):
            # HubSpot documents one answer for any invalid authentication, malformed included: 401.
            raise _Reject(self._error(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                                           "authentication.", "INVALID_AUTHENTICATION"))
        token = self.tokens.get(value)
        if token is None:
            raise _Reject(self._error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION"))
        if token.expires_at is not None and token.expires_at < time.time():
            raise _Reject(self._error(401, "The OAuth token used to make this call expired.",
                                      "EXPIRED_AUTHENTICATION"))
        return token

    def _require_scope(self, token: Token, scope: str) -> None:
        if scope not in token.scopes:
            body = self._error_body(
                "This app hasn't been granted all required scopes to make this call.", "MISSING_SCOPES")
            body["errors"] = [{"message": "One or more of the following scopes are required.",
                               "context": {"requiredGranularScopes": [scope]}}]
            raise _Reject((403, {"Content-Type": "application/json"}, json.dumps(body).encode()))

    def _check_limits(self, token: Token, search: bool) -> None:
        now = time.monotonic()
        with self._lock:
            if self.limits.daily is not None:
                used = self._daily.get(token.value, 0)
                if used >= self.limits.daily:
                    raise _Reject(self._rate_limited(None, policy="DAILY"))
                self._daily[token.value] = used + 1
            if search and self.limits.search_per_second:
                hits = self._hits.setdefault(f"search:{token.value}", deque())
                while hits and hits[0] <= now - 1.0:
                    hits.popleft()
                if len(hits) >= self.limits.search_per_second:
                    raise _Reject(self._rate_limited(None, policy="SECONDLY"))
                hits.append(now)
            if self.limits.ten_secondly:
                hits = self._hits.setdefault(f"ten:{token.value}", deque())
                while hits and hits[0] <= now - 10.0:
                    hits.popleft()
                if len(hits) >= self.limits.ten_secondly:
                    raise _Reject(self._rate_limited(None))
                hits.append(now)

    # ---- OAuth -------------------------------------------------------------------------------

    def _oauth_authorize(self, query):
        """The consent screen, answered at once: redirect back with a code (the demo's OAuth flow)."""
        redirect_uri = _one(query, "redirect_uri")
        if _one(query, "client_id") != self.client_id or not redirect_uri:
            return self._error(400, "Unknown client_id or missing redirect_uri", "BAD_CLIENT_ID")
        scopes = (_one(query, "scope") or " ".join(READ_SCOPES)).split()
        code = self.issue_code(redirect_uri=redirect_uri, scopes=scopes)
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': _one(query, 'state') or ''})}"
        return 302, {"Location": location, "Content-Type": "text/plain"}, b""

    def _oauth_token(self, form):
        grant = _one(form, "grant_type")
        if _one(form, "client_id") != self.client_id or _one(form, "client_secret") != self.client_secret:
            return _json(400, {"status": "BAD_CLIENT_ID", "message": "missing or invalid client_id/secret",
                               "correlationId": str(uuid.uuid4())})
        with self._lock:
            if grant == "authorization_code":
                grant_info = self.codes.pop(_one(form, "code") or "", None)
                if grant_info is None or grant_info["redirect_uri"] != _one(form, "redirect_uri"):
                    return _json(400, {"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code",
                                       "correlationId": str(uuid.uuid4())})
                scopes = grant_info["scopes"]
                refresh = f"rt-{secrets.token_hex(12)}"
                self.refresh_tokens[refresh] = scopes
            elif grant == "refresh_token":
                refresh = _one(form, "refresh_token") or ""
                scopes = self.refresh_tokens.get(refresh)
                if scopes is None:
                    return _json(400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token",
                                       "correlationId": str(uuid.uuid4())})
                if self.rotate_refresh_tokens:
                    del self.refresh_tokens[refresh]
                    refresh = f"rt-{secrets.token_hex(12)}"
                    self.refresh_tokens[refresh] = scopes
            else:
                return _json(400, {"status": "BAD_GRANT_TYPE", "message": f"unsupported grant_type {grant}",
                                   "correlationId": str(uuid.uuid4())})
            access = f"oauth-eu1-{secrets.token_hex(16)}"
            self.tokens[access] = Token(access, "oauth", scopes, time.time() + self.access_token_lifetime)
        return _json(200, {"token_type": "bearer", "access_token": access, "refresh_token": refresh,
                           "expires_in": self.access_token_lifetime, "hub_id": self.scenario.hub_id,
                           "scopes": scopes})

    def _access_token_info(self, value):
        token = self.tokens.get(value)
        if token is None or (token.expires_at is not None and token.expires_at < time.time()):
            return self._error(404, "Token not found or expired", "OBJECT_NOT_FOUND")
        return _json(200, {"token": value, "hub_id": self.scenario.hub_id, "scopes": token.scopes,
                           "expires_in": int((token.expires_at or time.time()) - time.time()),
                           "token_type": "access", "app_id": 4242, "user": "admin@nuage.demo",
                           "user_id": 7001, "hub_domain": "nuage.demo"})

    # ---- CRM ---------------------------------------------------------------------------------

    def _owners(self, query):
        limit, after = self._limit(query, maximum=500, default=100), int(_one(query, "after") or 0)
        archived = (_one(query, "archived") or "false").lower() == "true"
        owners = [o for o in self.scenario.owners if o.archived == archived]
        chunk = owners[after:after + limit]
        body = {"results": [_owner_json(o) for o in chunk]}
        if after + limit < len(owners):
            body["paging"] = {"next": {"after": str(after + limit), "link": ""}}
        return _json(200, body)

    def _owner(self, owner_id, query):
        archived = (_one(query, "archived") or "false").lower() == "true"
        owner = next((o for o in self.scenario.owners if str(o.id) == owner_id and o.archived == archived), None)
        if owner is None:
            return self._error(404, f"Owner {owner_id} not found", "OBJECT_NOT_FOUND")
        return _json(200, _owner_json(owner))

    def _list(self, type_, query):
        limit = self._limit(query, maximum=100, default=10)
        archived = (_one(query, "archived") or "false").lower() == "true"
        props = _many(query, "properties") or None
        with self.scenario.lock:
            pool = self.scenario.archived(type_) if archived else self.scenario.live(type_)
            pool = sorted(pool, key=lambda o: o.id)
        after = _one(query, "after")
        if after:
            if not after.isdigit():
                return self._error(400, f"Invalid after: {after}", "VALIDATION_ERROR")
            pool = [o for o in pool if o.id >= int(after)]
        chunk = pool[:limit]
        body = {"results": [o.as_json(props) for o in chunk]}
        if len(pool) > limit:
            body["paging"] = {"next": {"after": str(pool[limit].id), "link": ""}}
        return _json(200, body)

    def _find(self, type_: str, value: str, *, id_property: str | None, archived: bool) -> FakeObject | None:
        with self.scenario.lock:
            if id_property and id_property != "hs_object_id":
                found = [o for o in self.scenario.objects[type_].values() if o.value(id_property) == value]
                obj = found[0] if found else None
            else:
                obj = self.scenario.objects[type_].get(int(value)) if value.isdigit() else None
        if obj is None or obj.archived != archived:
            return None
        return obj

    def _get(self, type_, object_id, query):
        """GET /crm/v3/objects/{type}/{id}: one object (archived ones only with ?archived=true)."""
        archived = (_one(query, "archived") or "false").lower() == "true"
        obj = self._find(type_, object_id, id_property=_one(query, "idProperty"), archived=archived)
        if obj is None:
            status, headers, _body = self._error(404, "Object not found.  objectId are usually numeric.",
                                                 "OBJECT_NOT_FOUND")
            body = {**json.loads(_body), "context": {"id": [object_id]}}
            return status, headers, json.dumps(body).encode()
        return _json(200, obj.as_json(_many(query, "properties") or None))

    def _batch_read(self, type_, query, request):
        """POST /crm/v3/objects/{type}/batch/read: 200, or 207 with one error listing the missing ids."""
        inputs = request.get("inputs")
        if not isinstance(inputs, list) or any(not isinstance(i, dict) or "id" not in i for i in inputs):
            return self._error(400, "Invalid input JSON: inputs must be a list of {\"id\": ...}", "VALIDATION_ERROR")
        if len(inputs) > BATCH_READ_MAX:
            return self._error(400, f"Batch input contains {len(inputs)} inputs; the limit is {BATCH_READ_MAX}",
                               "VALIDATION_ERROR")
        archived = (_one(query, "archived") or "false").lower() == "true"
        props = [p for p in request.get("properties") or [] if p] or None
        results, missing = [], []
        for item in inputs:
            obj = self._find(type_, str(item["id"]), id_property=request.get("idProperty"), archived=archived)
            if obj is None:
                missing.append(str(item["id"]))
            elif obj.as_json(props) not in results:
                results.append(obj.as_json(props))
        stamp = _now_iso()
        body = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
        if not missing:
            return _json(200, body)
        label = type_[:-1].upper() if type_ != "companies" else "COMPANY"
        body.update(numErrors=1, errors=[{
            "status": "error", "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {label} objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing}, "links": {}, "errors": []}])
        return _json(207, body)

    def _search(self, type_, request):
        limit = request.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 200:
            return self._error(400, "limit must be between 1 and 200", "VALIDATION_ERROR")
        groups = request.get("filterGroups") or []
        if len(groups) > 5 or any(len(g.get("filters", [])) > 10 for g in groups) or \
                sum(len(g.get("filters", [])) for g in groups) > 25:
            return self._error(400, "Too many filters: at most 5 groups, 10 filters each, 25 in all",
                               "VALIDATION_ERROR")
        after = str(request.get("after") or "0")
        if not after.isdigit():
            return self._error(400, f"Invalid after: {after}", "VALIDATION_ERROR")
        offset = int(after)
        if offset >= self.search_cap:
            return self._error(400, "There was a problem with the request.", "VALIDATION_ERROR",
                               sub="CrmSearchMaxResultsExceeded",
                               message_extra=f"Search results are limited to {self.search_cap}.")
        sorts = request.get("sorts") or []
        pool = self._matching(type_, groups, sorts)
        total = len(pool)
        capped = pool[:self.search_cap]
        chunk = capped[offset:offset + limit]
        props = request.get("properties") or None
        body = {"total": total, "results": [o.as_json(props) for o in chunk]}
        if offset + limit < len(capped) or (offset + limit >= self.search_cap and total > self.search_cap):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return _json(200, body)

    def _matching(self, type_: str, groups: list[dict], sorts: list) -> list[FakeObject]:
        """Live objects matching the filter groups, sorted; cached until the scenario changes."""
        key = (type_, json.dumps(groups, sort_keys=True), json.dumps(sorts, sort_keys=True))
        with self.scenario.lock:
            version = self.scenario.version
            cached = self._query_cache.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
            matches = _compile_groups(groups)
            pool = [o for o in self.scenario.live(type_) if not groups or matches(o)]
        if sorts:
            sort = sorts[0]
            name = sort.get("propertyName") if isinstance(sort, dict) else str(sort).lstrip("-")
            descending = (sort.get("direction") == "DESCENDING") if isinstance(sort, dict) \
                else str(sort).startswith("-")
            pool.sort(key=lambda o: (_sortable(o.value(name)), o.id), reverse=descending)
        else:
            pool.sort(key=lambda o: o.id)
        with self._lock:
            if len(self._query_cache) > 32:
                self._query_cache.clear()
            self._query_cache[key] = (version, pool)
        return pool

    def _associations(self, from_type, to_type, request):
        inputs = request.get("inputs") or []
        if len(inputs) > 1000:
            return self._error(400, "At most 1000 inputs", "VALIDATION_ERROR")
        results, errors = [], []
        for item in inputs:
            obj = self.scenario.objects.get(from_type, {}).get(int(item.get("id") or 0))
            if from_type == "deals" and to_type == "companies" and obj is not None and obj.company_id:
                results.append({"from": {"id": str(obj.id)}, "to": [{
                    "toObjectId": obj.company_id,
                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"},
                                         {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}],
                }]})
            else:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                               "message": f"No {to_type} is associated with {from_type} {item.get('id')}.",
                               "context": {"fromObjectId": [str(item.get("id"))]}, "links": {}, "errors": []})
        stamp = _now_iso()
        body = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
        if errors:
            body.update(errors=errors, numErrors=len(errors))
            return _json(207, body)
        return _json(200, body)

    # ---- helpers -----------------------------------------------------------------------------

    def _limit(self, query, *, maximum: int, default: int) -> int:
        raw = _one(query, "limit")
        if raw is None:
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            raise _Reject(self._error(400, f"limit must be between 1 and {maximum}", "VALIDATION_ERROR"))
        return int(raw)

    @staticmethod
    def _error_body(message: str, category: str) -> dict:
        return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}

    def _error(self, status: int, message: str, category: str, *, sub: str | None = None,
               message_extra: str = ""):
        body = self._error_body(f"{message} {message_extra}".strip(), category)
        if sub:
            body["subCategory"] = sub
        return status, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body).encode()

    def _budget_headers(self, token: str) -> dict[str, str]:
        """HubSpot's X-HubSpot-RateLimit-* headers on a normal answer (search answers carry none)."""
        with self._lock:
            ten = len(self._hits.get(f"ten:{token}", ()))
            used = self._daily.get(token, 0)
        limit = self.limits.ten_secondly or 190
        daily = self.limits.daily or 500_000
        return {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": str(limit),
                "X-HubSpot-RateLimit-Remaining": str(max(0, limit - ten)),
                "X-HubSpot-RateLimit-Daily": str(daily), "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily - used))}

    def _rate_limited(self, retry_after: float | None, policy: str = "TEN_SECONDLY_ROLLING"):
        message = "You have reached your daily limit." if policy == "DAILY" else "You have reached your secondly limit."
        body = {"status": "error", "message": message, "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()), "policyName": policy}
        headers = {"Content-Type": "application/json;charset=utf-8", "X-HubSpot-RateLimit-Max": "190",
                   "X-HubSpot-RateLimit-Remaining": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
        if retry_after is not None:  # whole seconds, as HTTP defines delay-seconds
            headers["Retry-After"] = str(math.ceil(retry_after))
        return 429, headers, json.dumps(body).encode()


class _Reject(Exception):
    def __init__(self, response):
        super().__init__(response[0])
        self.response = response


def _json(status: int, body: dict) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body).encode()


def _owner_json(owner) -> dict:
    return {"id": str(owner.id), "email": owner.email, "type": "PERSON", "firstName": owner.first_name,
            "lastName": owner.last_name, "userId": owner.id + 7000, "archived": owner.archived,
            "createdAt": "2023-01-02T09:00:00.000Z", "updatedAt": "2023-01-02T09:00:00.000Z"}


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _many(query: dict[str, list[str]], key: str) -> list[str]:
    """A list parameter as HubSpot reads it: repeated (`a=1&a=2`, the official clients), comma-joined
    (`a=1,2`), or both; order kept, duplicates dropped."""
    values = [v.strip() for raw in query.get(key, []) for v in raw.split(",")]
    return list(dict.fromkeys(v for v in values if v))


def _normalise(path: str) -> str:
    """HubSpot routes `/crm/v3/owners/` (what the official client sends) like `/crm/v3/owners`."""
    path = re.sub(r"/{2,}", "/", path)
    return path.rstrip("/") or "/"


def _now_iso() -> str:
    return iso(int(time.time() * 1000))


def _sortable(value: str | None):
    """HubSpot compares datetimes and numbers by value, other strings alphabetically."""
    number = _number(value)
    return (0, number, "") if number is not None else (1, 0.0, value or "")


@lru_cache(maxsize=100_000)
def _number(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp() * 1000
    except ValueError:
        return None


def _compile_filter(f: dict):
    """One search filter as a predicate over a FakeObject (values parsed once per request)."""
    name, op = f.get("propertyName"), f.get("operator", "EQ")
    if op == "HAS_PROPERTY":
        return lambda o: bool(o.value(name))
    if op == "NOT_HAS_PROPERTY":
        return lambda o: not o.value(name)
    if op in ("IN", "NOT_IN"):
        values = {str(v) for v in f.get("values", [])}
        return (lambda o: o.value(name) in values) if op == "IN" else (lambda o: o.value(name) not in values)
    wanted = f.get("value")
    w_text = "" if wanted is None else str(wanted)
    w_num = _number(w_text)
    if op == "BETWEEN":
        high = _number(str(f.get("highValue")))

        def between(o):
            a = _number(o.value(name))
            return a is not None and w_num is not None and high is not None and w_num <= a <= high

        return between
    compare = {"EQ": operator.eq, "NEQ": operator.ne, "LT": operator.lt, "LTE": operator.le,
               "GT": operator.gt, "GTE": operator.ge}.get(op)
    if compare is None:
        return lambda o: False

    def predicate(o):
        actual = o.value(name)
        a = _number(actual)
        if a is None or w_num is None:
            return compare(actual or "", w_text)  # string comparison
        return compare(a, w_num)

    return predicate


def _compile_groups(groups: list[dict]):
    """filterGroups: groups ORed, filters ANDed."""
    compiled = [[_compile_filter(f) for f in g.get("filters", [])] for g in groups]
    return lambda o: any(all(p(o) for p in group) for group in compiled)


DEMO_TOKEN = "pat-eu1-demo-nuage-token"
# The served account has a few hundred contacts, far from HubSpot's 10,000: its search cap is scaled
# down so that a query for every contact runs into it, as a real account's does
# (`--fault search_cap=10000` restores HubSpot's; the connector's HUBSPOT_SEARCH_RESULT_CAP must match).
DEMO_SEARCH_CAP = 400


def default_fake(*, seed: int = 42, today=None) -> HubSpotFake:
    """The served fake (`make demo`, `manage.py fake_provider hubspot`): Nuage Analytics' account with
    archived contacts and deals (a new lead arrives and a deal moves every 5 minutes, now and then a
    record is archived), HubSpot's per-second search limit, a search cap the account's contacts
    exceed (DEMO_SEARCH_CAP), and one private-app token, DEMO_TOKEN."""
    fake = HubSpotFake(scenario=HubSpotScenario.nuage(seed=seed, today=today), evolve_every=300,
                       limits=Limits(search_per_second=SEARCH_PER_SECOND), search_cap=DEMO_SEARCH_CAP)
    fake.add_private_token(DEMO_TOKEN)
    return fake


_default: HubSpotFake | None = None


def default_instance() -> HubSpotFake:
    """The one fake this process serves to `http://hubspot.fake` (the demo connects to it)."""
    return process_fake(__name__, lambda: default_fake(seed=demo_seed()))


def in_process_transport() -> httpx.MockTransport:
    """settings.INTEGRATIONS_IN_PROCESS_FAKES: what `http://hubspot.fake` answers with."""
    return default_instance().transport()


class _FaultSwitches:
    """`manage.py fake_provider hubspot --fault rate_limited=5 --fault server_errors=2 --fault delay=0.5`,
    and the served account's limits: `--fault search_cap=10000`, `--fault search_per_second=0` (0: off)."""

    def __init__(self, fake: HubSpotFake):
        self._fake = fake

    def _set(self, name: str, value) -> None:
        if name == "rate_limited":  # HubSpot's 429 without Retry-After: the client must back off by itself
            self._fake.faults.append(Fault(status=429, times=int(value)))
        elif name == "server_errors":
            self._fake.faults.append(Fault(status=502, times=int(value)))
        elif name == "delay":
            self._fake.faults.append(Fault(delay=float(value), times=10**9))
        elif name == "search_cap":
            self._fake.search_cap = int(value)
        elif name == "search_per_second":
            self._fake.limits.search_per_second = int(value) or None

    rate_limited = property(lambda self: 0, lambda self, v: self._set("rate_limited", v))
    search_cap = property(lambda self: self._fake.search_cap, lambda self, v: self._set("search_cap", v))
    search_per_second = property(lambda self: self._fake.limits.search_per_second or 0,
                                 lambda self, v: self._set("search_per_second", v))
    server_errors = property(lambda self: 0, lambda self, v: self._set("server_errors", v))
    delay = property(lambda self: 0.0, lambda self, v: self._set("delay", v))


class WsgiApp(FakeServer):
    """The fake as a WSGI application (for `manage.py fake_provider hubspot` or any WSGI server)."""

    def __init__(self, fake: HubSpotFake):
        super().__init__(fake, _FaultSwitches(fake))

    @property
    def tokens(self) -> dict[str, str]:
        """Private-app tokens and the hub each reaches (printed by the command at start-up)."""
        return {t.value: f"hub {self.fake.scenario.hub_id}" for t in self.fake.tokens.values() if t.kind == "private"}


def wsgi_app(fake: HubSpotFake) -> WsgiApp:
    return WsgiApp(fake)


def default_wsgi_app() -> WsgiApp:
    """registry.FAKE_SERVERS: the demo's fake (Nuage Analytics) as a WSGI app."""
    return WsgiApp(default_instance())


__all__ = ["DEMO_TOKEN", "LAST_MODIFIED", "Fault", "HubSpotFake", "Limits", "SimulatedCrash", "default_fake"]
