"""Pennylane company API v2 (INTEGRATIONS.md, "Pennylane").

First sync lists everything (sort and filter re-sent on every page: the cursor carries neither);
later syncs follow the changelogs (inserts, updates, deletions), fetching changed objects by id,
and fall back to a full listing when the 4-week changelog window was missed (422). Small
resources without a changelog (ledger accounts, bank accounts, subscriptions, fiscal years) are
listed in full on every sync and reconciled. Ledger accounts come first: ledger entry lines
point to them by id only, so their PCG numbers are joined locally. Amounts are Decimal from strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from integrations.base import AccountInfo, Connector, ConnectorError, Cursor, Page, Record
from integrations.http import ProviderClient, ProviderError
from integrations.ratelimit import rate_limiter

OVERLAP = timedelta(minutes=5)


class Malformed(ValueError):
    """A payload field we cannot read; the record is rejected with this message."""


def _decimal(obj: dict, name: str, *, required: bool = True) -> Decimal | None:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise Malformed(f"{name} is missing")
        return None
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise Malformed(f"{name} {value!r} is not a decimal amount") from None
    if not parsed.is_finite():
        raise Malformed(f"{name} {value!r} is not a decimal amount")
    return parsed


def _date(obj: dict, name: str, *, required: bool = True) -> date | None:
    value = obj.get(name)
    if not value:
        if required:
            raise Malformed(f"{name} is missing")
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Malformed(f"{name} {value!r} is not a date") from None


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _link_id(obj: dict, name: str) -> str | None:
    link = obj.get(name)
    if isinstance(link, dict) and link.get("id") is not None:
        return str(link["id"])
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- mapping: Pennylane payload → canonical fields -------------------------------------------


def map_customer(o: dict, ctx: dict) -> dict:
    individual = o.get("customer_type") == "individual"
    notes = (o.get("notes") or "").strip()
    # Pennylane has no segment: a one-word note ("SMB", "Retail") is read as one, else B2B / B2C.
    segment = notes if notes and len(notes) <= 40 and "\n" not in notes else ("B2C" if individual else "B2B")
    created = _datetime(o.get("created_at"))
    return {"name": (o.get("name") or "").strip() or f"#{o['id']}", "segment": segment,
            "kind": "individual" if individual else "company",
            "country": ((o.get("billing_address") or {}).get("country_alpha2") or "")[:2],
            "acquired_on": created.date() if created else None}


def map_supplier(o: dict, ctx: dict) -> dict:
    return {"name": (o.get("name") or "").strip() or f"#{o['id']}"}


def _invoice(o: dict, kind: str) -> dict:
    rate = _decimal(o, "exchange_rate", required=False) or Decimal(1)
    incl = _decimal(o, "amount")
    excl_currency = _decimal(o, "currency_amount_before_tax")
    status = o.get("status") or ""
    paid_at = _datetime(o.get("updated_at")) if (o.get("paid") and status == "paid") else None
    fields = {
        "kind": kind, "number": (o.get("invoice_number") or "")[:80], "issue_date": _date(o, "date"),
        "due_date": _date(o, "deadline", required=False), "currency": (o.get("currency") or "EUR")[:3],
        "exchange_rate": rate, "amount_incl_tax": incl,
        "amount_excl_tax": (excl_currency * rate).quantize(Decimal("0.01")),
        "currency_amount_incl_tax": _decimal(o, "currency_amount", required=False) or incl,
        "remaining_amount_incl_tax": _decimal(o, "remaining_amount_with_tax", required=False) or Decimal(0),
        "status": status[:30],
        "is_credit_note": status == "credit_note" or bool(o.get("credited_invoice")),
        # v2 gives no payment date on the invoice (its payments cost one request each): a paid
        # invoice's last update is when Pennylane recorded the payment.
        "paid_date": paid_at.date() if paid_at else None,
    }
    return fields


def map_customer_invoice(o: dict, ctx: dict) -> dict:
    return {**_invoice(o, "customer"), "customer_external_id": _link_id(o, "customer")}


def map_supplier_invoice(o: dict, ctx: dict) -> dict:
    return {**_invoice(o, "supplier"), "supplier_external_id": _link_id(o, "supplier")}


def map_ledger_account(o: dict, ctx: dict) -> dict:
    number = str(o.get("number") or "").strip()
    if not number:
        raise Malformed("number is missing")
    return {"number": number[:20], "label": (o.get("label") or "")[:255]}


def map_ledger_line(o: dict, ctx: dict) -> dict:
    account_id = _link_id(o, "ledger_account")
    number = ctx["accounts"].get(account_id)
    if number is None:
        raise Malformed(f"ledger account {account_id} is unknown")
    return {"account_external_id": account_id, "account_number": number, "date": _date(o, "date"),
            "journal": ctx["journals"].get(_link_id(o, "journal"), "")[:20], "label": (o.get("label") or "")[:255],
            "debit": _decimal(o, "debit"), "credit": _decimal(o, "credit"),
            "entry_external_id": _link_id(o, "ledger_entry") or ""}


def map_bank_account(o: dict, ctx: dict) -> dict:
    return {"name": (o.get("name") or "")[:255] or f"#{o['id']}", "currency": (o.get("currency") or "EUR")[:3]}


def map_transaction(o: dict, ctx: dict) -> dict:
    return {"bank_account_external_id": _link_id(o, "bank_account"), "date": _date(o, "date"),
            "amount": _decimal(o, "amount"), "label": (o.get("label") or "")[:255]}


def map_subscription(o: dict, ctx: dict) -> dict:
    amount = _decimal(o, "amount_before_tax")
    rule = o.get("recurring_rule") or {}
    months = {"monthly": 1, "yearly": 12}.get(rule.get("rule_type"), 1) * int(rule.get("interval") or 1)
    return {"customer_external_id": _link_id(o, "customer"), "plan": (o.get("label") or "")[:120],
            "mrr": (amount / months).quantize(Decimal("0.01")), "started_on": _date(o, "start"),
            "ended_on": _date(o, "stopped_at", required=False)}


# resource, canonical model, mapper, has a changelog, reconciliation filter, date filter field
STEPS: list[tuple[str, str | None, Callable | None, bool, dict | None, str | None]] = [
    ("ledger_accounts", "ledgeraccount", map_ledger_account, False, None, None),
    ("journals", None, None, False, None, None),
    ("customers", "customer", map_customer, True, None, None),
    ("suppliers", "supplier", map_supplier, True, None, None),
    ("bank_accounts", "bankaccount", map_bank_account, False, None, None),
    ("billing_subscriptions", "subscription", map_subscription, False, None, None),
    ("customer_invoices", "invoice", map_customer_invoice, True, {"kind": "customer"}, "date"),
    ("supplier_invoices", "invoice", map_supplier_invoice, True, {"kind": "supplier"}, "date"),
    ("ledger_entry_lines", "ledgerline", map_ledger_line, True, None, "date"),
    ("transactions", "banktransaction", map_transaction, True, None, "date"),
    ("fiscal_years", None, None, False, None, None),
]


# How much of a sync each resource usually is (for the progress bar: lines outnumber everything).
WEIGHTS = {"ledger_entry_lines": 8, "customer_invoices": 3, "transactions": 3, "supplier_invoices": 1}
TOTAL_WEIGHT = sum(WEIGHTS.get(step[0], 1) for step in STEPS)


def _progress(position: tuple[int, int], fraction: float) -> float:
    before, weight = position
    return (before + weight * fraction) / TOTAL_WEIGHT


class PennylaneConnector(Connector):
    key = "pennylane"
    label = "Pennylane"
    source = "pennylane"
    auth = "token"
    token_help = _("In Pennylane, Settings → Connectivity → Developers: generate a company API token "
                   "with read-only scopes.")
    history_months = 36  # the full listing's date filter: enough for two fiscal years and comparisons

    def __init__(self, connection, *, client: ProviderClient | None = None, now: Callable[[], datetime] | None = None):
        super().__init__(connection)
        self._client = client
        self.now = now or (lambda: datetime.now(UTC))
        self.ctx: dict[str, dict] = {"accounts": {}, "journals": {}}
        self.fiscal_years: list[dict] = []

    # --- plumbing ------------------------------------------------------------------------

    base_url_setting = "PENNYLANE_API_BASE_URL"
    rate_limit_setting = "PENNYLANE_RATE_LIMIT"

    @property
    def prefix(self) -> str:
        return ""

    @property
    def client(self) -> ProviderClient:
        if self._client is None:
            token = (self.connection.secret_credentials or {}).get("token")
            if not token:
                raise ConnectorError(str(_("No token is stored for this connection.")), permanent=True)
            limit, window = getattr(settings, self.rate_limit_setting)
            key = self.connection.rate_limit_key if self.connection.pk else f"probe:{self.key}"
            self._client = ProviderClient(base_url=getattr(settings, self.base_url_setting), token=token,
                                          limiter=rate_limiter(key=key, limit=limit, window=window))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _get(self, path: str, params: dict | None = None) -> Any:
        try:
            return self.client.get(self.prefix + path, params=params)
        except ProviderError as exc:
            if exc.status == 401:
                raise ConnectorError(str(_("Pennylane refused the token (revoked or expired): "
                                           "generate a new one and replace it.")), permanent=True) from None
            if exc.status == 403:
                raise ConnectorError(str(_("The token lacks a scope: %(detail)s")) % {"detail": exc.args[0]},
                                     permanent=True) from None
            raise

    # --- the interface -----------------------------------------------------------------

    def account_info(self) -> AccountInfo:
        me = self._get("/me")
        company = me.get("company") or {}
        return AccountInfo(account_id=str(company.get("id", "")), name=company.get("name", ""))

    def check_credentials(self) -> None:
        self.account_info()

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        for index, (resource, model, mapper, has_changelog, scope, date_field) in enumerate(STEPS):
            position = (sum(WEIGHTS.get(r[0], 1) for r in STEPS[:index]), WEIGHTS.get(resource, 1))
            if model is None:
                self._read_reference(resource)
                continue
            cursor = cursors.get(resource) or {}
            if has_changelog and cursor.get("phase") == "changes":
                try:
                    yield from self._changes(resource, model, mapper, cursor, started, position)
                    continue
                except ProviderError as exc:
                    if exc.status != 422:
                        raise
                    cursor = {}  # the 4-week window was missed: list everything again
            if cursor.get("phase") != "list":
                cursor = {}
            yield from self._listing(resource, model, mapper, cursor, started, position,
                                     has_changelog=has_changelog, scope=scope, date_field=date_field)

    # --- reading -------------------------------------------------------------------------

    def _read_reference(self, resource: str) -> None:
        """Journals and fiscal years: small, read every time, joined or kept in memory."""
        params: dict[str, Any] = {"limit": settings.PENNYLANE_PAGE_LIMIT, "sort": "id"}
        items: list[dict] = []
        while True:
            data = self._get(f"/{resource}", params)
            items += data.get("items", [])
            if not data.get("has_more") or not data.get("next_cursor"):
                break
            params = {**params, "cursor": data["next_cursor"]}
        if resource == "journals":
            self.ctx["journals"] = {str(j["id"]): str(j.get("code") or "") for j in items}
        else:
            self.fiscal_years = items

    def _records(self, model: str, mapper: Callable, items: list[dict]) -> list[Record]:
        records = []
        for item in items:
            external_id = str(item.get("id", ""))
            try:
                fields = mapper(item, self.ctx)
            except (Malformed, KeyError, TypeError, ValueError) as exc:
                records.append(Record(model=model, external_id=external_id, raw=item,
                                      reject_reason=f"{model} {external_id}: {exc}"))
                continue
            if model == "ledgeraccount":
                self.ctx["accounts"][external_id] = fields["number"]
            records.append(Record(model=model, external_id=external_id, fields=fields, raw=item,
                                  source_updated_at=_datetime(item.get("updated_at"))))
        return records

    def _listing(self, resource, model, mapper, cursor, started, position, *, has_changelog, scope, date_field):
        """A complete listing, resumable from `list_cursor`; the first page marks where reconciliation starts."""
        if resource == "ledger_accounts":
            yield from self._paged_listing(resource, model, mapper, started, position)
            return
        since = cursor.get("since") or _iso(started)
        params: dict[str, Any] = {"limit": settings.PENNYLANE_PAGE_LIMIT, "sort": "id"}
        if date_field:
            first_day = (started - timedelta(days=31 * self.history_months)).date().replace(day=1)
            params["filter"] = json.dumps([{"field": date_field, "operator": "gteq", "value": first_day.isoformat()}])
        list_cursor = cursor.get("list_cursor")
        is_start = list_cursor is None
        pages = 0
        while True:
            # The cursor carries no filter and no sort: both are sent again on every page.
            query = {**params, "cursor": list_cursor} if list_cursor else dict(params)
            data = self._get(f"/{resource}", query)
            records = self._records(model, mapper, data.get("items", []))
            list_cursor = data.get("next_cursor") if data.get("has_more") else None
            pages += 1
            done = list_cursor is None
            if done:
                next_cursor = ({"phase": "changes", "start_date": since, "changelog_cursor": None}
                               if has_changelog else {"phase": "done", "at": _iso(started)})
            else:
                next_cursor = {"phase": "list", "list_cursor": list_cursor, "since": since}
            yield Page(object_type=resource, records=records, cursor=next_cursor,
                       progress=_progress(position, 1 if done else min(0.9, pages / (pages + 10))),
                       listing_starts=model if is_start and pages == 1 and not date_field else None,
                       listing_complete=model if done and not date_field else None,
                       listing_filter=scope)
            if done:
                return

    def _paged_listing(self, resource, model, mapper, started, position):
        page = 1
        while True:
            data = self._get(f"/{resource}", {"page": page, "per_page": 1000})
            records = self._records(model, mapper, data.get("items", []))
            done = page >= int(data.get("total_pages") or 1)
            yield Page(object_type=resource, records=records,
                       cursor={"phase": "done", "at": _iso(started)} if done else {"phase": "list", "page": page},
                       progress=_progress(position, 1 if done else 0.5),
                       listing_starts=model if page == 1 else None, listing_complete=model if done else None)
            if done:
                return
            page += 1

    def _changes(self, resource, model, mapper, cursor, started, position):
        """Follow the changelog from the stored cursor (or start_date), fetching changed objects by id."""
        limit = settings.PENNYLANE_CHANGELOG_LIMIT
        if cursor.get("changelog_cursor"):
            params: dict[str, Any] = {"limit": limit, "cursor": cursor["changelog_cursor"]}
        else:
            params = {"limit": limit, "start_date": cursor["start_date"]}  # never both: that is a 400
        while True:
            data = self._get(f"/changelogs/{resource}", params)
            last: dict[str, dict] = {}
            for entry in data.get("items", []):
                last[str(entry["id"])] = entry  # oldest first: the last operation on an id wins
            deleted = [i for i, e in last.items() if e.get("operation") == "delete"]
            changed = [i for i, e in last.items() if e.get("operation") != "delete"]
            records = [Record(model=model, external_id=i, deleted=True,
                              source_updated_at=_datetime(last[i].get("processed_at"))) for i in deleted]
            for chunk_start in range(0, len(changed), 100):
                chunk = changed[chunk_start: chunk_start + 100]
                records += self._records(model, mapper, self._by_ids(resource, chunk))
            has_more = bool(data.get("has_more") and data.get("next_cursor"))
            if has_more:
                next_cursor = {"phase": "changes", "changelog_cursor": data["next_cursor"],
                               "start_date": cursor["start_date"]}
            else:
                # Everything processed before we started was read: resume a little before that,
                # never after the sync's start (entries are idempotent, repeats are harmless).
                next_cursor = {"phase": "changes", "changelog_cursor": None, "start_date": _iso(started - OVERLAP)}
            yield Page(object_type=resource, records=records, cursor=next_cursor,
                       progress=_progress(position, 0.5 if has_more else 1))
            if not has_more:
                return
            params = {"limit": limit, "cursor": data["next_cursor"]}

    def _by_ids(self, resource: str, ids: list[str]) -> list[dict]:
        params: dict[str, Any] = {
            "limit": 100, "sort": "id",
            "filter": json.dumps([{"field": "id", "operator": "in", "value": [int(i) for i in ids]}]),
        }
        items: list[dict] = []
        while True:
            data = self._get(f"/{resource}", params)
            items += data.get("items", [])
            if not data.get("has_more") or not data.get("next_cursor"):
                return items
            params = {**params, "cursor": data["next_cursor"]}
