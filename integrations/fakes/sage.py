"""A fake Sage Business Cloud Accounting (API v3.1 + Sage's OAuth 2.0), as its documentation describes it.

Served in-process (`in_process_transport`, the origin `http://sage.fake`) and over HTTP
(`manage.py fake_provider sage --port 8104`). What it reproduces (developer.sage.com, Accounting guides):
- OAuth: the consent redirect with `code`, `country` and `state`; the token endpoint
  (`client_secret_post`), codes single-use for 60 seconds, access tokens of 5 minutes (`expires_in: 300`), refresh tokens that rotate on
  each use (the old one dies) and expire after 31 days; `{"error": "invalid_grant"}` on a bad code or token;
- one user reaching several businesses: `/businesses`, and the `X-Business` header choosing one
  (without it, the user's lead business — the first — as Sage says);
- index endpoints enveloped `{"$total", "$page", "$next", "$back", "$itemsPerPage", "$items"}`, paged by
  `page` and `items_per_page` (≤ 200, else a 422); a page past the last answers the last page, as the
  pagination guide says; `attributes=all` expands items (else `id`, `displayed_as`, `$path` only);
- the general filters `updated_or_created_since` (inclusive) and `deleted_since` (not inclusive; the
  deleted items, with `deleted_at`); `show_payments_allocations=true` adds an artefact's payments and allocations;
- error bodies as a list of `{"$severity", "$dataCode", "$message", "$source"}`; 401 for an unknown or
  expired token; a per-business budget (`per_minute`, 100 by default) answering 429 (Sage documents no
  rate-limit headers, so none are sent);
- banking: `bank_accounts` (`bank_account_details`, `ledger_account`, `bank_account_type`, `balance`), and
  the movements on them — `contact_payments` (CUSTOMER_RECEIPT, VENDOR_PAYMENT…, base currency amounts) and
  `other_payments` (OTHER_RECEIPT, OTHER_PAYMENT) — each with its `bank_account` and `transaction`;
- switches: `throttle_next` (429), `server_errors_next` (503).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from integrations.fakes import process_fake
from integrations.fakes.serving import ServedFake

RESOURCES = ("ledger_accounts", "contacts", "sales_invoices", "sales_credit_notes", "purchase_invoices",
             "purchase_credit_notes", "ledger_entries", "bank_accounts", "contact_payments", "other_payments")
MAX_ITEMS_PER_PAGE = 200
DEFAULT_ITEMS_PER_PAGE = 20
ACCESS_TOKEN_LIFETIME = 300  # five minutes
REFRESH_TOKEN_LIFETIME = 31 * 24 * 3600
CODE_LIFETIME = 60  # an authorization code is single-use and expires after 60 seconds


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(value: str) -> datetime:
    if len(value) == 10:  # a date alone is accepted by the filters
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Business:
    """One Sage business: its objects by resource, each a dict as the API returns it with attributes=all."""

    id: str
    name: str
    country: str = "FR"
    base_currency: str = "EUR"
    year_end_date: str = "2026-12-31"
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {r: {} for r in RESOURCES})
    deleted: dict[str, dict[str, datetime]] = field(default_factory=lambda: {r: {} for r in RESOURCES})

    def add(self, resource: str, body: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        body.setdefault("id", secrets.token_hex(16))
        body.setdefault("displayed_as", body["id"])
        body["$path"] = f"/{resource}/{body['id']}"
        body["created_at"] = body["updated_at"] = ts(at)
        self.objects[resource][body["id"]] = body
        return body

    def touch(self, resource: str, object_id: str, *, at: datetime | None = None, **changes) -> None:
        body = self.objects[resource][object_id]
        body.update(changes)
        body["updated_at"] = ts(at or datetime.now(UTC))

    def delete(self, resource: str, object_id: str, *, at: datetime | None = None) -> None:
        self.objects[resource].pop(object_id)
        self.deleted[resource][object_id] = at or datetime.now(UTC)


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    token: str
    business: str


class SageFake(ServedFake):
    client_id = "fake-sage-client-id"
    client_secret = "fake-sage-client-secret"

    def __init__(self, businesses: list[Business], *, tokens: dict[str, str] | None = None, per_minute: int = 100):
        self.businesses = {b.id: b for b in businesses}
        # access token → (user, expiry); every user reaches every business of this fake.
        self.tokens: dict[str, float] = {t: time.time() + ACCESS_TOKEN_LIFETIME for t in (tokens or {})}
        self.refresh_tokens: dict[str, float] = {}
        self.codes: dict[str, tuple[str, float]] = {}  # code → (redirect_uri, issued at)
        self.per_minute = per_minute
        self.throttle_next = 0
        self.server_errors_next = 0
        self.access_token_lifetime = ACCESS_TOKEN_LIFETIME
        self.log: list[Logged] = []
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()

    @property
    def lead(self) -> Business:
        return next(iter(self.businesses.values()))

    # --- OAuth --------------------------------------------------------------------------------

    def issue_code(self, *, redirect_uri: str) -> str:
        code = f"sage-code-{secrets.token_hex(8)}"
        self.codes[code] = (redirect_uri, time.time())
        return code

    def _consent(self, query):
        redirect_uri = _one(query, "redirect_uri")
        code = self.issue_code(redirect_uri=redirect_uri)
        params = {"code": code, "country": self.lead.country.lower(), "state": _one(query, "state")}
        return 302, {"Location": f"{redirect_uri}?{urlencode(params)}"}, b""

    def _token(self, form):
        if _one(form, "client_id") != self.client_id or _one(form, "client_secret") != self.client_secret:
            return _json(401, {"error": "invalid_client"})
        grant = _one(form, "grant_type")
        with self._lock:
            if grant == "authorization_code":
                redirect_uri, issued = self.codes.pop(_one(form, "code"), ("", 0.0))
                if redirect_uri != _one(form, "redirect_uri") or issued < time.time() - CODE_LIFETIME:
                    return _json(400, {"error": "invalid_grant"})  # single use, 60 seconds, same redirect_uri
            elif grant == "refresh_token":
                expiry = self.refresh_tokens.pop(_one(form, "refresh_token"), None)  # rotates: the old one dies
                if expiry is None or expiry < time.time():
                    return _json(400, {"error": "invalid_grant"})
            else:
                return _json(400, {"error": "unsupported_grant_type"})
            access = f"sage-at-{secrets.token_hex(16)}"
            refresh = f"sage-rt-{secrets.token_hex(12)}"
            self.tokens[access] = time.time() + self.access_token_lifetime
            self.refresh_tokens[refresh] = time.time() + REFRESH_TOKEN_LIFETIME
        return _json(200, {"access_token": access, "expires_in": self.access_token_lifetime, "token_type": "bearer",
                           "refresh_token": refresh, "refresh_token_expires_in": REFRESH_TOKEN_LIFETIME,
                           "scope": "readonly", "requested_by_id": "fake-user"})

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes):
        token = headers.get("authorization", "").removeprefix("Bearer ")
        status, out_headers, payload = self._route(method, path, query, headers, body)
        self.log.append(Logged(method, path, query, status, token, headers.get("x-business", "")))
        return status, out_headers, payload

    def requests_to(self, fragment: str) -> list[Logged]:
        return [r for r in self.log if fragment in r.path]

    def _route(self, method, path, query, headers, body):
        if path == "/oauth2/auth/central" and method == "GET":
            return self._consent(query)
        if path == "/token" and method == "POST":
            return self._token(parse_qs(body.decode()))
        match = re.fullmatch(r"/v3\.1/(\w+)(?:/(\w+))?", path)
        if not match or method != "GET":
            return _errors(404, "RecordNotFound", "The requested path does not exist.")
        resource, key = match.groups()
        token = headers.get("authorization", "").removeprefix("Bearer ")
        expiry = self.tokens.get(token)
        if expiry is None or expiry < time.time():
            return _errors(401, "AuthenticationFailure", "Unauthorized: the access token is invalid or expired.")
        if resource == "businesses":
            return self._page(list(self._business_items()), query, "/businesses")
        business_id = headers.get("x-business") or self.lead.id
        business = self.businesses.get(business_id)
        if business is None:
            return _errors(403, "BusinessAccessDenied", "You do not have access to this business.", "X-Business")
        throttled = self._throttle(business_id)
        if throttled:
            return throttled
        if resource == "financial_settings":
            return _json(200, {"$path": "/financial_settings", "year_end_date": business.year_end_date,
                               "base_currency": {"id": business.base_currency, "displayed_as": business.base_currency,
                                                 "$path": f"/currencies/{business.base_currency}"},
                               "multi_currency_enabled": True, "accounting_type": "accrual"})
        if resource not in business.objects:
            return _errors(404, "RecordNotFound", "The requested path does not exist.")
        if key:
            found = business.objects[resource].get(key)
            return _json(200, found) if found else _errors(404, "RecordNotFound", "Record not found.")
        return self._index(business, resource, query)

    def _business_items(self):
        for b in self.businesses.values():
            yield {"id": b.id, "displayed_as": b.name, "$path": f"/businesses/{b.id}", "name": b.name,
                   "country": {"id": b.country}}

    def _throttle(self, business_id):
        with self._lock:
            if self.server_errors_next:
                self.server_errors_next -= 1
                return _errors(503, "ServiceUnavailable", "One of our servers could not be reached. Please retry later.")
            if self.throttle_next:
                self.throttle_next -= 1
                return _errors(429, "TooManyRequests", "Too many requests. Please retry later.")
            calls = self._calls.setdefault(business_id, deque())
            now = time.time()
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                return _errors(429, "TooManyRequests", "Too many requests. Please retry later.")
            calls.append(now)
        return None

    def _index(self, business: Business, resource: str, query):
        rows = sorted(business.objects[resource].values(), key=lambda o: (o["created_at"], o["id"]))
        try:
            if _one(query, "deleted_since"):
                since = parse_ts(_one(query, "deleted_since"))
                rows = [{"id": i, "displayed_as": i, "$path": f"/{resource}/{i}", "deleted_at": ts(at)}
                        for i, at in sorted(business.deleted[resource].items(), key=lambda kv: (kv[1], kv[0]))
                        if at > since]  # not inclusive, as documented
            elif _one(query, "updated_or_created_since"):
                since = parse_ts(_one(query, "updated_or_created_since"))
                rows = [o for o in rows if parse_ts(o["updated_at"]) >= since]  # inclusive, as documented
        except ValueError:
            return _errors(422, "InvalidFilter", "The date given is not a valid date or time.", "updated_or_created_since")
        for name in ("contact_type_id", "transaction_id"):
            if _one(query, name):
                wanted = _one(query, name)
                rows = [o for o in rows if wanted in {t["id"] for t in o.get("contact_types") or []}
                        or (o.get("transaction") or {}).get("id") == wanted]
        if _one(query, "show_payments_allocations") != "true":
            rows = [{k: v for k, v in o.items() if k != "payments_allocations"} for o in rows]
        if _one(query, "attributes") != "all" and not _one(query, "deleted_since"):
            rows = [{"id": o["id"], "displayed_as": o["displayed_as"], "$path": o["$path"]} for o in rows]
        return self._page(rows, query, f"/{resource}")

    def _page(self, rows: list[dict[str, Any]], query, path: str):
        try:
            per_page = int(_one(query, "items_per_page") or DEFAULT_ITEMS_PER_PAGE)
            page = int(_one(query, "page") or 1)
        except ValueError:
            return _errors(422, "InvalidParameter", "page and items_per_page must be integers.")
        if not 1 <= per_page <= MAX_ITEMS_PER_PAGE:
            return _errors(422, "InvalidParameter", f"items_per_page must be between 1 and {MAX_ITEMS_PER_PAGE}.",
                           "items_per_page")
        last = max(1, -(-len(rows) // per_page))
        page = min(max(page, 1), last)  # past the last page: the last page, as Sage's guide says
        kept = {k: v[0] for k, v in query.items() if k not in ("page",) and v and v[0]}

        def link(n: int) -> str:
            return f"{path}?{urlencode({**kept, 'page': n})}"

        return _json(200, {"$total": len(rows), "$page": page, "$next": link(page + 1) if page < last else None,
                           "$back": link(page - 1) if page > 1 else None, "$itemsPerPage": per_page,
                           "$items": rows[(page - 1) * per_page:page * per_page]})



def _one(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[0]


def _json(status: int, body: Any, headers: dict[str, str] | None = None):
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def _errors(status: int, code: str, message: str, source: str = ""):
    """Sage's error body: a list of messages, each with its severity, code and the field it is about."""
    return _json(status, [{"$severity": "error", "$dataCode": code, "$message": message, "$source": source}])


_default: SageFake | None = None


def default_instance() -> SageFake:
    """The demo's Sage business, built once per process."""
    def build() -> SageFake:
        from integrations.fakes.sage_scenario import DEMO_TOKEN, demo_business

        return SageFake([demo_business()], tokens={DEMO_TOKEN: "demo"})

    return process_fake(__name__, build)


def in_process_transport() -> httpx.MockTransport:
    return default_instance().transport()


def default_wsgi_app() -> SageFake:
    return default_instance()
