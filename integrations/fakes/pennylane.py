"""A fake Pennylane (company API v2 and firm API v1) that behaves as INTEGRATIONS.md describes.

A plain WSGI application, so it runs in-process as an httpx.WSGITransport (tests, the demo) and
as a real HTTP server on 127.0.0.1 (`manage.py fake_provider pennylane --port 8101`). It
reproduces: bearer auth (401 `{"error", "status"}`), cursor envelopes whose cursor carries no
filter or sort (a page requested without them is unfiltered and sorted `-id`), `limit` out of
range → 400, the 2026 API (Pennylane's "2026 API changes" guide: `ledger_accounts` and the firm's
`companies` are cursor lists, `page`/`per_page` there → 400; the `ledger` scope is gone, each
resource needs its own scope, a 403 names it), an invoice's `matched_transactions` and `payments`
(cursor lists; empty for drafts, archived invoices and credit notes), changelogs oldest first
with `start_date` XOR `cursor` (both → 400) and a 4-week window (older → 422
`{"error", "message", "details"}`), 429 with a plain-text body and the real headers, the
`ratelimit-*` headers on every answer, and switchable faults (429 bursts, 5xx, slow answers).
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

import httpx

from integrations.fakes import demo_seed, process_fake
from integrations.fakes.pennylane_shapes import complete, complete_page
from integrations.fakes.scenario import (
    CHANGELOG_RESOURCES,
    COMPANIES,
    FIRM_TOKEN,
    Book,
    _ts,
    build_book,
    grow_until,
)

V2 = "/api/external/v2"
FIRM = "/api/external/firm/v1"
LIST_RESOURCES = ("customers", "suppliers", "customer_invoices", "supplier_invoices", "journals", "ledger_entry_lines",
                  "bank_accounts", "transactions", "billing_subscriptions", "fiscal_years", "ledger_accounts")
# Page-numbered until the 2026 API; since 1 July 2026 cursor lists that refuse `page`/`per_page`.
MOVED_TO_CURSORS = ("ledger_accounts", "companies")
INVOICE_SUBLISTS = ("matched_transactions", "payments")
FILTER_FIELDS = {"id", "date", "customer_id", "supplier_id", "invoice_number", "journal_id", "ledger_account_id",
                 "bank_account_id"}
OPERATORS = {"eq", "not_eq", "lt", "lteq", "gt", "gteq", "in", "not_in"}
# The read scope each resource needs (a token created with chosen scopes gets a 403 naming the missing one).
SCOPES = {
    "customers": "customers:readonly", "suppliers": "suppliers:readonly",
    "customer_invoices": "customer_invoices:readonly", "supplier_invoices": "supplier_invoices:readonly",
    "ledger_accounts": "ledger_accounts:readonly", "journals": "journals:readonly",
    "ledger_entry_lines": "ledger_entries:readonly", "bank_accounts": "bank_accounts:readonly",
    "transactions": "transactions:readonly", "fiscal_years": "fiscal_years:readonly",
    "billing_subscriptions": "billing_subscriptions:readonly",
}


class Faults:
    """Switchable fault injection: the next N answers are 429 (with or without Retry-After) or 5xx; slow answers."""

    def __init__(self):
        self.rate_limited = 0
        self.server_errors = 0
        self.server_error_status = 503
        self.delay = 0.0

    def reset(self):
        self.__init__()


def _encode_cursor(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _decode_cursor(value: str) -> dict | None:
    try:
        return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return None


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Response(Exception):
    def __init__(self, status: int, body, headers: dict | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


def _error(status: int, message: str):
    # Shape one: {"error": "...", "status": 401}
    return _Response(status, {"error": message, "status": status})


def _unprocessable(message: str, details: dict | None = None):
    # Shape two: {"error": "unprocessable_entity", "message": "...", "details": {...}}, with the documented status
    return _Response(422, {"error": "unprocessable_entity", "status": 422, "message": message,
                           "details": details or {}})


class PennylaneFake:
    """The fake's whole world: books per company id, company tokens, firm tokens, budgets and faults."""

    def __init__(self, *, books: dict[int, Book], tokens: dict[str, int], firm_tokens: dict[str, list[int]],
                 rate_limit: tuple[int, float] = (25, 5.0), firm_rate_limit: tuple[int, float] = (4, 1.0),
                 enforce_rate_limit: bool = True, clock: Callable[[], float] = time.time):
        self.books = books
        self.tokens = tokens
        self.firm_tokens = firm_tokens
        self.rate_limit = rate_limit
        self.firm_rate_limit = firm_rate_limit
        self.enforce_rate_limit = enforce_rate_limit
        self.clock = clock
        self.faults = Faults()
        self.requests: list[dict] = []  # method, path, query (for tests: filters re-sent, budgets kept)
        self.windows: dict[str, list[float]] = {}
        self.over_budget = 0  # 429s answered because a token spent more than its budget (not forced faults)
        self.lock = threading.Lock()
        self.evolves = False  # the demo's world grows day by day with the clock (tests keep theirs still)
        self.scopes: dict[str, set[str]] = {}  # token → granted scopes; a token absent here has them all

    def evolve(self) -> int:
        """Bring every book up to the clock's date (new invoices, invoices turning late)."""
        today = self.now().date()
        stamp = self.now().isoformat().replace("+00:00", "Z")
        with self.lock:
            return sum(grow_until(book, today, processed_at=stamp) for book in self.books.values())

    # --- mutations that a real company would make (tests and the evolving demo use them) ----

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def upsert(self, company_id: int, resource: str, obj: dict) -> dict:
        book = self.books[company_id]
        with self.lock:
            existing = obj.get("id") in book.objects[resource]
            if obj.get("id") is None:
                obj["id"] = book.new_id()
            stamp = self.now().isoformat().replace("+00:00", "Z")
            obj.setdefault("created_at", stamp)
            obj["updated_at"] = stamp
            book.objects[resource][obj["id"]] = {**book.objects[resource].get(obj["id"], {}), **obj}
            if resource in CHANGELOG_RESOURCES:
                book.log(resource, obj["id"], "update" if existing else "insert", stamp)
        return book.objects[resource][obj["id"]]

    def delete(self, company_id: int, resource: str, obj_id: int) -> None:
        book = self.books[company_id]
        with self.lock:
            book.objects[resource].pop(obj_id, None)
            if resource in CHANGELOG_RESOURCES:
                book.log(resource, obj_id, "delete", self.now().isoformat().replace("+00:00", "Z"))

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        params = {k: v[-1] for k, v in query.items()}
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        with self.lock:
            self.requests.append({"method": method, "path": path, "params": params})
        if self.evolves:
            self.evolve()
        headers: dict[str, str] = {}
        try:
            if self.faults.delay:
                time.sleep(self.faults.delay)
            scope_key, budget = self._authenticate(path, token)
            headers = self._spend(scope_key, budget)
            if self.faults.server_errors:
                with self.lock:
                    self.faults.server_errors -= 1
                raise _Response(self.faults.server_error_status, {"error": "Internal Server Error",
                                                                  "status": self.faults.server_error_status})
            body = self._route(method, path, params, token)
            status = 200
        except _Response as exc:
            status, body = exc.status, exc.body
            headers.update(exc.headers)
        if isinstance(body, str):
            payload = body.encode()
            headers["Content-Type"] = "text/plain; charset=utf-8"
        else:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers["Content-Length"] = str(len(payload))
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
        start_response(f"{status} {reason}", list(headers.items()))
        return [payload]

    def _authenticate(self, path: str, token: str) -> tuple[str, tuple[int, float]]:
        if path.startswith(FIRM):
            if token not in self.firm_tokens:
                raise _error(401, "Access token is missing or invalid")
            return f"firm:{token}", self.firm_rate_limit
        if path.startswith(V2):
            if token not in self.tokens:
                raise _error(401, "Access token is missing or invalid")
            return f"company:{token}", self.rate_limit
        raise _error(404, "Not found")

    def _spend(self, key: str, budget: tuple[int, float]) -> dict[str, str]:
        limit, window = budget
        now = self.clock()
        with self.lock:
            log = [t for t in self.windows.get(key, []) if t > now - window]
            forced = self.faults.rate_limited > 0
            if forced:
                self.faults.rate_limited -= 1
            over = forced or (self.enforce_rate_limit and len(log) >= limit)
            if not over:
                log.append(now)
            elif not forced:
                self.over_budget += 1
            self.windows[key] = log
            reset_at = (log[0] + window) if log else now + window
        headers = {"ratelimit-limit": str(limit), "ratelimit-remaining": str(max(0, limit - len(log))),
                   "ratelimit-reset": str(int(math.ceil(reset_at)))}
        if over:
            wait = max(1, int(math.ceil(reset_at - now))) if not forced else 1
            headers["retry-after"] = str(wait)
            headers["ratelimit-remaining"] = "0"
            raise _Response(429, f"Rate limit exceeded. Please retry in {wait} seconds.", headers)
        return headers

    # --- routing -------------------------------------------------------------------------

    def _route(self, method: str, path: str, params: dict, token: str):
        if method != "GET":
            raise _error(405, "Method not allowed")
        if path.startswith(FIRM):
            rest = path[len(FIRM):].strip("/").split("/")
            allowed = self.firm_tokens[token]
            if rest == ["companies"]:
                companies = [{"id": cid, "name": self.books[cid].name, "country_alpha2": "FR"}
                             for cid in sorted(allowed) if cid in self.books]
                return self._list_items("companies", companies, params)
            if len(rest) >= 3 and rest[0] == "companies":
                try:
                    company_id = int(rest[1])
                except ValueError:
                    raise _error(404, "Company not found") from None
                if company_id not in allowed or company_id not in self.books:
                    raise _error(404, "Company not found")
                return self._company(self.books[company_id], rest[2:], params, token)
            raise _error(404, "Not found")
        rest = path[len(V2):].strip("/").split("/")
        book = self.books[self.tokens[token]]
        if rest == ["me"]:
            return {"user": {"id": 1, "first_name": "API", "last_name": "Token", "email": "api@example.test",
                             "locale": "fr"},
                    "company": {"id": book.company_id, "name": book.name, "reg_no": "000000000"}}
        return self._company(book, rest, params, token)

    def _company(self, book: Book, rest: list[str], params: dict, token: str = ""):
        resource = rest[1] if rest and rest[0] == "changelogs" and len(rest) > 1 else (rest[0] if rest else "")
        granted = self.scopes.get(token)
        if granted is not None and resource in SCOPES and SCOPES[resource] not in granted:
            raise _error(403, f"Missing scope: {SCOPES[resource]}")
        if len(rest) == 2 and rest[0] == "changelogs":
            if rest[1] not in CHANGELOG_RESOURCES:
                raise _error(404, "Not found")
            return self._changelog(book, rest[1], params)
        if len(rest) == 3 and rest[0] in ("customer_invoices", "supplier_invoices") and rest[2] in INVOICE_SUBLISTS:
            return self._invoice_sublist(book, rest[0], rest[1], rest[2], params)
        if len(rest) == 1 and rest[0] in LIST_RESOURCES:
            return complete_page(rest[0], self._list(book, rest[0], params), book)
        if len(rest) == 2 and rest[0] in LIST_RESOURCES:
            try:
                obj = book.objects[rest[0]].get(int(rest[1]))
            except ValueError:
                obj = None
            if obj is None:
                raise _error(404, "Not found")
            return complete(rest[0], obj, book)
        raise _error(404, "Not found")

    @staticmethod
    def _limit(params: dict, default: int, maximum: int) -> int:
        raw = params.get("limit", str(default))
        try:
            limit = int(raw)
        except ValueError:
            raise _error(400, "limit must be an integer") from None
        if not 1 <= limit <= maximum:
            raise _error(400, f"limit must be between 1 and {maximum}")
        return limit

    def _invoice_sublist(self, book: Book, resource: str, invoice_id: str, sublist: str, params: dict):
        """An invoice's matched bank transactions or payments (both cursor lists, sortable by id only)."""
        try:
            invoice = book.objects[resource].get(int(invoice_id))
        except ValueError:
            invoice = None
        if invoice is None:
            raise _error(404, "Customer invoice not found" if resource == "customer_invoices" else
                         "Supplier invoice not found")
        if params.get("sort", "-id").lstrip("-") != "id":
            raise _error(400, f"Unsupported sort {params['sort']}")
        quiet = invoice.get("status") == "draft" or (
            invoice.get("status") == "credit_note" if sublist == "payments" else bool(invoice.get("archived_at")))
        if quiet:
            items: list[dict] = []
        elif sublist == "matched_transactions":
            # The same transactions as /transactions, but with their journal as an object.
            items = [{**{k: v for k, v in tx.items() if k != "journal_id"}, "journal": {"id": tx.get("journal_id")}}
                     for t in book.matches.get(invoice["id"], []) if (tx := book.objects["transactions"].get(t))]
        else:
            items = list(book.payments.get(invoice["id"], []))
        return self._list_items(sublist, items, {k: v for k, v in params.items() if k != "filter"})

    def _list(self, book: Book, resource: str, params: dict):
        return self._list_items(resource, list(book.objects[resource].values()), params)

    def _list_items(self, resource: str, items: list[dict], params: dict):
        if resource in MOVED_TO_CURSORS and ("page" in params or "per_page" in params):
            raise _error(400, "page and per_page are no longer supported on this endpoint: "
                              "use cursor and limit (2026 API changes)")
        limit = self._limit(params, 20, 100)
        if params.get("filter"):
            try:
                rules = json.loads(params["filter"])
                assert isinstance(rules, list)
            except (ValueError, AssertionError):
                raise _error(400, "filter must be a JSON array") from None
            for rule in rules:
                items = [o for o in items if self._matches(o, rule)]
        sort = params.get("sort", "-id")
        if sort.lstrip("-") not in ("id", "date"):
            raise _error(400, f"Unsupported sort {sort}")
        descending = sort.startswith("-")
        key_name = sort.lstrip("-")
        items.sort(key=lambda o: (str(o.get(key_name) or ""), o["id"]) if key_name == "date" else o["id"],
                   reverse=descending)
        if params.get("cursor"):
            # The cursor only remembers a position: filters and sort must be sent again.
            position = _decode_cursor(params["cursor"])
            if position is None or "after" not in position:
                raise _error(400, "Invalid cursor")
            keys = [self._sort_key(o, key_name) for o in items]
            after = position["after"]
            after = after if key_name == "id" else tuple(after)
            idx = 0
            for idx, k in enumerate(keys):
                if (k < after) if descending else (k > after):
                    break
            else:
                idx = len(items)
            items = items[idx:]
        page = items[:limit]
        has_more = len(items) > limit
        next_cursor = _encode_cursor({"after": self._sort_key(page[-1], key_name)}) if has_more else None
        return {"items": page, "has_more": has_more, "next_cursor": next_cursor}

    @staticmethod
    def _sort_key(obj: dict, key_name: str):
        return obj["id"] if key_name == "id" else (str(obj.get("date") or ""), obj["id"])

    @staticmethod
    def _matches(obj: dict, rule: dict) -> bool:
        field, op, value = rule.get("field"), rule.get("operator"), rule.get("value")
        if field not in FILTER_FIELDS or op not in OPERATORS:
            raise _error(400, f"Unsupported filter {field} {op}")
        if field.endswith("_id") and field != "id":
            link = obj.get(field[:-3]) or {}
            actual = link.get("id") if isinstance(link, dict) else None
        else:
            actual = obj.get(field)
        if op in ("in", "not_in"):
            values = value if isinstance(value, list) else str(value).split(",")
            values = {str(v) for v in values}
            return (str(actual) in values) == (op == "in")
        if actual is None:
            return op == "not_eq"
        a, b = (int(actual), int(value)) if field.endswith("id") else (str(actual), str(value))
        return {"eq": a == b, "not_eq": a != b, "lt": a < b, "lteq": a <= b, "gt": a > b, "gteq": a >= b}[op]

    def _changelog(self, book: Book, resource: str, params: dict):
        limit = self._limit(params, 20, 1000)
        start, cursor = params.get("start_date"), params.get("cursor")
        if start and cursor:
            raise _error(400, "start_date and cursor cannot be used together")
        horizon = self.now() - timedelta(weeks=4)
        entries = [e for e in book.changelog if e["resource"] == resource]
        if cursor:
            position = _decode_cursor(cursor)
            if position is None or "seq" not in position:
                raise _error(400, "Invalid cursor")
            if _parse_time(position.get("at", "")) and _parse_time(position["at"]) < horizon:
                raise _unprocessable("The cursor is older than the 4 weeks of history kept.",
                                     {"cursor": ["expired"]})
            entries = [e for e in entries if e["seq"] > position["seq"]]
        else:
            since = _parse_time(start) if start else horizon
            if since is None:
                raise _error(400, "start_date must be an RFC 3339 date-time")
            if since < horizon - timedelta(seconds=1):
                raise _unprocessable("start_date must be within the last 4 weeks.", {"start_date": ["too_old"]})
            entries = [e for e in entries if _parse_time(e["processed_at"]) >= since]
        page = entries[:limit]
        has_more = len(entries) > limit
        items = [{"id": e["id"], "operation": e["operation"], "processed_at": e["processed_at"],
                  "created_at": e["created_at"], "updated_at": e["updated_at"]} for e in page]
        next_cursor = _encode_cursor({"seq": page[-1]["seq"], "at": page[-1]["processed_at"]}) if has_more else None
        return {"items": items, "has_more": has_more, "next_cursor": next_cursor}


def build_fake(*, seed: int, today: date, **kwargs) -> PennylaneFake:
    """The demo's world: three companies, one token each, and Cap & Route's firm token reaching all three."""
    books, tokens = {}, {}
    for key, (company_id, _name, _builder, token) in COMPANIES.items():
        books[company_id] = build_book(key, seed=seed, today=today)
        tokens[token] = company_id
    fake = PennylaneFake(books=books, tokens=tokens, firm_tokens={FIRM_TOKEN: sorted(books)}, **kwargs)
    fake.evolves = True
    return fake


_default: PennylaneFake | None = None


def default_fake() -> PennylaneFake:
    """The process-wide fake (built on first use from DEMO_SEED and today's date)."""
    from django.utils import timezone

    return process_fake(__name__, lambda: build_fake(seed=demo_seed(), today=timezone.localdate()))


def default_wsgi_app():
    return default_fake()


def in_process_transport() -> httpx.BaseTransport:
    return httpx.WSGITransport(app=default_fake())


def amount(value) -> Decimal:
    """Parse one of Pennylane's string amounts (used by tests to compute expected sums)."""
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


__all__ = ["PennylaneFake", "_ts", "build_fake", "default_fake", "in_process_transport"]
