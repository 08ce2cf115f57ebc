"""Pennylane company API v2 (INTEGRATIONS.md, "Pennylane").

First sync lists everything (sort and filter re-sent on every page: the cursor carries neither);
later syncs follow the changelogs (inserts, updates, deletions), fetching changed objects by id,
and fall back to a full listing when the 4-week changelog window was missed (422). Small
resources without a changelog (ledger accounts, bank accounts, subscriptions, fiscal years) are
listed in full on every sync and reconciled. Ledger accounts come first: ledger entry lines
point to them by id only, so their PCG numbers are joined locally. Amounts are Decimal from strings.

The 2026 API (Pennylane's "2026 API changes" migration guide, the only behaviour since 1 July 2026):
ledger accounts (and the firm's companies) are cursor-paginated like every other list, and the old
`ledger` scope is split into `journals:readonly`, `ledger_accounts:readonly` and
`ledger_entries:readonly`. A resource the token may not read (403) or that the account lacks (404)
is skipped with a sentence saying what will not show; the others sync.

Drafts, cancelled and archived invoices (and the credit note cancelling a cancelled invoice) are
kept with their status but marked void. A customer invoice something was paid on has its
settlements read (`/customer_invoices/{id}/matched_transactions`, each with its bank `date`, then
`/customer_invoices/{id}/payments`) and stored as Payment records; a credit note becomes a
Payment of its credited invoice. `paid_date` is the day the last settlement came in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from integrations.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    Cursor,
    Page,
    Record,
    ResourceRefused,
    skipped_page,
)
from integrations.http import ProviderClient, ProviderError
from integrations.messages import ReaderMessage, record_named, unreadable
from integrations.prefetch import on_sync_thread
from integrations.ratelimit import rate_limiter

OVERLAP = timedelta(minutes=5)


class Malformed(ValueError):
    """A payload field we cannot read; the record is rejected with this message (read in each reader's
    language)."""

    def __init__(self, message: ReaderMessage):
        super().__init__(message)
        self.message = message


def _decimal(obj: dict, name: str, *, required: bool = True) -> Decimal | None:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise Malformed(ReaderMessage("%(field)s is missing", field=name))
        return None
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise Malformed(ReaderMessage("%(field)s %(value)r is not a decimal amount", field=name, value=value)) \
            from None
    if not parsed.is_finite():
        raise Malformed(ReaderMessage("%(field)s %(value)r is not a decimal amount", field=name, value=value))
    return parsed


def _date(obj: dict, name: str, *, required: bool = True) -> date | None:
    value = obj.get(name)
    if not value:
        if required:
            raise Malformed(ReaderMessage("%(field)s is missing", field=name))
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Malformed(ReaderMessage("%(field)s %(value)r is not a date", field=name, value=value)) from None


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


# Customer invoice statuses that are not a sale (nor, for a supplier invoice, a purchase).
VOID_STATUSES = {"draft", "cancelled", "archived"}
# Payment statuses that mean the money came in (getcustomerinvoicepayments lists the others too).
PAID_PAYMENT_STATUSES = {"found", "confirmed", "paid_out"}


def is_void_invoice(o: dict) -> bool:
    return (o.get("status") or "") in VOID_STATUSES or o.get("draft") is True or bool(o.get("archived_at"))


def _invoice(o: dict, kind: str) -> dict:
    rate = _decimal(o, "exchange_rate", required=False) or Decimal(1)
    incl = _decimal(o, "amount")
    excl_currency = _decimal(o, "currency_amount_before_tax")
    status = o.get("status") or ""
    # The invoice's last update stands in for its paid date only until its settlements are read
    # (PennylaneConnector._settle): when the token may not read them, it is all there is.
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
        "is_void": is_void_invoice(o),
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
        raise Malformed(ReaderMessage("%(field)s is missing", field="number"))
    return {"number": number[:20], "label": (o.get("label") or "")[:255]}


def map_ledger_line(o: dict, ctx: dict) -> dict:
    account_id = _link_id(o, "ledger_account")
    number = ctx["accounts"].get(account_id)
    if number is None:
        raise Malformed(ReaderMessage("ledger account %(id)s is unknown", id=account_id))
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


# The read scope each resource needs (2026 names), what it is called and what is lost without it.
RESOURCES: dict[str, tuple[str, Any, Any]] = {
    "ledger_accounts": ("ledger_accounts:readonly", _("Ledger accounts"),
                        _("the ledger (margins, cash, receivables on 411) will not show")),
    "journals": ("journals:readonly", _("Journals"), _("ledger lines will carry no journal code")),
    "customers": ("customers:readonly", _("Customers"), _("segments and customer counts will not show")),
    "suppliers": ("suppliers:readonly", _("Suppliers"), _("invoices will show no supplier")),
    "bank_accounts": ("bank_accounts:readonly", _("Bank accounts"), _("transactions will show no bank account")),
    "billing_subscriptions": ("billing_subscriptions:readonly", _("Subscriptions"), _("MRR will not show")),
    "customer_invoices": ("customer_invoices:readonly", _("Customer invoices"),
                          _("invoiced revenue, DSO and late payments will not show")),
    "customer_invoice_payments": ("customer_invoices:readonly", _("Invoice payments"),
                                  _("paid dates are the invoices' last update and partial payments are not seen")),
    "supplier_invoice_payments": ("supplier_invoices:readonly", _("Supplier invoice payments"),
                                  _("suppliers' paid dates are the invoices' last update")),
    "supplier_invoices": ("supplier_invoices:readonly", _("Supplier invoices"), _("purchases will not show")),
    "ledger_entry_lines": ("ledger_entries:readonly", _("Ledger entries"),
                           _("margins and the other ledger figures will not show")),
    "transactions": ("transactions:readonly", _("Bank transactions"), _("cash from the bank will not show")),
    "fiscal_years": ("fiscal_years:readonly", _("Fiscal years"), _("the company's own fiscal year settings are used")),
}


def refusal_reason(resource: str, status: int, detail: str) -> str:
    """The sentence an admin reads on the run and the connection for a refused resource."""
    scope, label, consequence = RESOURCES.get(resource, (resource, resource, ""))
    named = re.search(r"[a-z_]+:(?:readonly|all)", detail or "")
    if status == 403:
        return ReaderMessage("%(label)s: this token lacks the %(scope)s scope — %(consequence)s.",
                             label=label, scope=named.group(0) if named else scope, consequence=consequence)
    return ReaderMessage("%(label)s: Pennylane does not offer this resource to this account — %(consequence)s.",
                         label=label, consequence=consequence)


# Invoices whose settlements are read (`/<resource>/{id}/matched_transactions`, `…/payments`), and the
# name their settlements go by when the token may not read them.
SETTLED_RESOURCES = {"customer_invoices": "customer_invoice_payments", "supplier_invoices": "supplier_invoice_payments"}

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
    prefetch = True  # reads no database row while fetching (a firm child's token: `on_sync_thread`)
    history_months = 36  # the full listing's date filter: enough for two fiscal years and comparisons

    def __init__(self, connection, *, client: ProviderClient | None = None, now: Callable[[], datetime] | None = None):
        super().__init__(connection)
        self._client = client
        self.now = now or (lambda: datetime.now(UTC))
        self.ctx: dict[str, dict] = {"accounts": {}, "journals": {}}
        self.fiscal_years: list[dict] = []
        self.invoice_status: dict[str, str] = {}  # customer invoice id → status, for credit notes
        # {"customer_invoice_payments" | "supplier_invoice_payments": why} once the token may not read them
        self.settlements_refused: dict[str, str] = {}

    # --- plumbing ------------------------------------------------------------------------

    base_url_setting = "PENNYLANE_API_BASE_URL"
    rate_limit_setting = "PENNYLANE_RATE_LIMIT"

    @property
    def prefix(self) -> str:
        return ""

    @property
    def client(self) -> ProviderClient:
        if self._client is None:
            # A firm child reads its parent's token from the database: on the sync's thread.
            self._client = on_sync_thread(self._new_client)
        return self._client

    def _new_client(self) -> ProviderClient:
        token = (self.connection.secret_credentials or {}).get("token")
        if not token:
            raise ConnectorError(str(_("No token is stored for this connection.")), permanent=True)
        limit, window = getattr(settings, self.rate_limit_setting)
        key = self.connection.rate_limit_key if self.connection.pk else f"probe:{self.key}"
        return ProviderClient(base_url=getattr(settings, self.base_url_setting), token=token,
                              limiter=rate_limiter(key=key, limit=limit, window=window))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _get(self, path: str, params: dict | None = None, *, resource: str | None = None) -> Any:
        """GET one path; a 403 or 404 on a resource is ResourceRefused (that resource is skipped)."""
        try:
            return self.client.get(self.prefix + path, params=params)
        except ProviderError as exc:
            if exc.status == 401:
                raise ConnectorError(str(_("Pennylane refused the token (revoked or expired): "
                                           "generate a new one and replace it.")), permanent=True) from None
            if exc.status in (403, 404) and resource:
                raise ResourceRefused(refusal_reason(resource, exc.status, str(exc.args[0])),
                                      object_type=resource, status=exc.status) from None
            if exc.status == 403:
                raise ConnectorError(str(_("The token lacks a scope: %(detail)s")) % {"detail": exc.args[0]},
                                     permanent=True) from None
            raise

    def _resource_of(self, path: str) -> str:
        parts = path.strip("/").split("/")
        if parts[0] == "changelogs" and len(parts) > 1:
            return parts[1]
        if parts[0] in SETTLED_RESOURCES and len(parts) == 3:
            return SETTLED_RESOURCES[parts[0]]
        return parts[0]

    def _read(self, path: str, params: dict | None = None) -> Any:
        return self._get(path, params, resource=self._resource_of(path))

    # --- the interface -----------------------------------------------------------------

    def account_info(self) -> AccountInfo:
        me = self._get("/me")
        company = me.get("company") or {}
        return AccountInfo(account_id=str(company.get("id", "")), name=company.get("name", ""))

    def check_credentials(self) -> None:
        self.account_info()

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        refused: set[str] = set()
        for index, step in enumerate(STEPS):
            resource = step[0]
            if resource == "ledger_entry_lines" and "ledger_accounts" in refused:
                # Lines point to their account by id only: without the accounts they cannot be read.
                yield skipped_page(resource, ReaderMessage("Ledger entries: they point to ledger accounts this token "
                                                           "may not read — margins and the other ledger figures "
                                                           "will not show."), cursors.get(resource))
                continue
            try:
                yield from self._step(index, step, cursors, started)
            except ResourceRefused as exc:
                refused.add(resource)
                yield skipped_page(exc.object_type or resource, exc.message, cursors.get(resource))
            for refused_settlements, reason in self.settlements_refused.items():
                if reason:
                    yield skipped_page(refused_settlements, reason)
                    self.settlements_refused[refused_settlements] = ""  # said once; still not read

    def _step(self, index: int, step, cursors: dict[str, Cursor], started: datetime) -> Iterator[Page]:
        resource, model, mapper, has_changelog, scope, date_field = step
        position = (sum(WEIGHTS.get(r[0], 1) for r in STEPS[:index]), WEIGHTS.get(resource, 1))
        if model is None:
            self._read_reference(resource)
            return
        cursor = cursors.get(resource) or {}
        if has_changelog and cursor.get("phase") == "changes":
            try:
                yield from self._changes(resource, model, mapper, cursor, started, position)
                return
            except ProviderError as exc:
                if exc.status != 422:
                    raise
                cursor = {}  # the 4-week window was missed: list everything again
        if cursor.get("phase") != "list" or resource == "ledger_accounts":
            # Ledger accounts are joined to the lines in memory: always listed whole, never resumed.
            cursor = {}
        yield from self._listing(resource, model, mapper, cursor, started, position,
                                 has_changelog=has_changelog, scope=scope, date_field=date_field)

    # --- reading -------------------------------------------------------------------------

    def _all(self, path: str, params: dict[str, Any]) -> list[dict]:
        """Every item of a cursor-paginated list (filter and sort re-sent on every page)."""
        items: list[dict] = []
        while True:
            data = self._read(path, params)
            items += data.get("items", [])
            if not data.get("has_more") or not data.get("next_cursor"):
                return items
            params = {**params, "cursor": data["next_cursor"]}

    def _read_reference(self, resource: str) -> None:
        """Journals and fiscal years: small, read every time, joined or kept in memory."""
        items = self._all(f"/{resource}", {"limit": settings.PENNYLANE_PAGE_LIMIT, "sort": "id"})
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
                detail = exc.message if isinstance(exc, Malformed) else unreadable(exc)
                records.append(Record(model=model, external_id=external_id, raw=item,
                                      reject_reason=record_named(model, external_id, detail)))
                continue
            if model == "ledgeraccount":
                self.ctx["accounts"][external_id] = fields["number"]
            records.append(Record(model=model, external_id=external_id, fields=fields, raw=item,
                                  source_updated_at=_datetime(item.get("updated_at"))))
        return records

    def _page(self, resource: str, records: list[Record], cursor: Cursor, progress: float, *,
              from_changelog: bool = False, **listing) -> Page:
        """A page; invoices come with their settlements (payments after the invoices they settle)."""
        complete_sets: tuple = ()
        if resource in SETTLED_RESOURCES:
            records, complete_sets = self._settle(resource, records, from_changelog=from_changelog)
        return Page(object_type=resource, records=records, cursor=cursor, progress=progress,
                    complete_sets=complete_sets, **listing)

    def _listing(self, resource, model, mapper, cursor, started, position, *, has_changelog, scope, date_field):
        """A complete listing, resumable from `list_cursor`; the first page marks where reconciliation starts."""
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
            data = self._read(f"/{resource}", query)
            records = self._records(model, mapper, data.get("items", []))
            list_cursor = data.get("next_cursor") if data.get("has_more") else None
            pages += 1
            done = list_cursor is None
            if done:
                next_cursor = ({"phase": "changes", "start_date": since, "changelog_cursor": None}
                               if has_changelog else {"phase": "done", "at": _iso(started)})
            else:
                next_cursor = {"phase": "list", "list_cursor": list_cursor, "since": since}
            yield self._page(resource, records, next_cursor,
                             _progress(position, 1 if done else min(0.9, pages / (pages + 10))),
                             listing_starts=model if is_start and pages == 1 and not date_field else None,
                             listing_complete=model if done and not date_field else None,
                             listing_filter=scope)
            if done:
                return

    def _changes(self, resource, model, mapper, cursor, started, position):
        """Follow the changelog from the stored cursor (or start_date), fetching changed objects by id."""
        limit = settings.PENNYLANE_CHANGELOG_LIMIT
        if cursor.get("changelog_cursor"):
            params: dict[str, Any] = {"limit": limit, "cursor": cursor["changelog_cursor"]}
        else:
            params = {"limit": limit, "start_date": cursor["start_date"]}  # never both: that is a 400
        while True:
            data = self._read(f"/changelogs/{resource}", params)
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
            yield self._page(resource, records, next_cursor, _progress(position, 0.5 if has_more else 1),
                             from_changelog=True)
            if not has_more:
                return
            params = {"limit": limit, "cursor": data["next_cursor"]}

    def _by_ids(self, resource: str, ids: list[str]) -> list[dict]:
        return self._all(f"/{resource}", {
            "limit": 100, "sort": "id",
            "filter": json.dumps([{"field": "id", "operator": "in", "value": [int(i) for i in ids]}]),
        })

    # --- settlements: when (and how much of) an invoice was paid ------------------------------

    def _settle(self, resource: str, records: list[Record], *, from_changelog: bool) -> tuple[list[Record], tuple]:
        """The page's invoices (void ones marked), then their Payment records, and the complete sets.

        An invoice something was paid on (remaining < total) has its matched bank transactions read,
        then its payments if the transactions do not explain what was paid; its `paid_date` becomes
        the day of the last settlement when nothing remains due. A customer credit note is a Payment of
        the invoice it credits (on its own date), or void with it when that invoice is cancelled.
        """
        invoices: list[Record] = []
        payments: list[Record] = []
        sets: list[tuple[str, dict, frozenset[str]]] = []
        for record in records:
            if record.deleted:
                invoices.append(record)
                payments.append(Record(model="payment", external_id=f"credit_note:{record.external_id}",
                                       deleted=True, source_updated_at=record.source_updated_at))
                continue
            if record.reject_reason or record.model != "invoice":
                invoices.append(record)
                continue
            self.invoice_status[record.external_id] = str(record.raw.get("status") or "")
        if resource == "customer_invoices":
            self._learn_credited_statuses(records)
        for record in records:
            if record.deleted or record.reject_reason or record.model != "invoice":
                continue
            fields = dict(record.fields)
            credited = _link_id(record.raw, "credited_invoice")
            if fields["is_credit_note"] and credited and resource == "customer_invoices":
                if self.invoice_status.get(credited, "") in VOID_STATUSES:
                    fields["is_void"] = True
                if not fields["is_void"]:
                    payments.append(Record(model="payment", external_id=f"credit_note:{record.external_id}",
                                           fields={"invoice_external_id": credited, "kind": "credit_note",
                                                   "date": fields["issue_date"],
                                                   "amount": abs(fields["amount_incl_tax"])},
                                           source_updated_at=record.source_updated_at))
                else:
                    payments.append(Record(model="payment", external_id=f"credit_note:{record.external_id}",
                                           deleted=True, source_updated_at=record.source_updated_at))
            elif not fields["is_credit_note"] and not fields["is_void"]:
                settled = fields["amount_incl_tax"] - fields["remaining_amount_incl_tax"]
                fields["paid_date"] = None
                if settled > 0:
                    rows = self._settlements(resource, record, settled)
                    if rows is not None:
                        payments += rows
                        sets.append(("payment", {"invoice__external_id": record.external_id,
                                                 "kind__in": ["bank", "payment"]},
                                     frozenset(r.external_id for r in rows)))
                    if fields["remaining_amount_incl_tax"] <= 0:
                        updated = _datetime(record.raw.get("updated_at"))
                        days = [r.fields["date"] for r in rows or ()]
                        fields["paid_date"] = max(days) if days else (updated.date() if updated else None)
                elif from_changelog:
                    # Unpaid again (a payment refunded or unmatched): its old settlements go.
                    sets.append(("payment", {"invoice__external_id": record.external_id,
                                             "kind__in": ["bank", "payment"]}, frozenset()))
            invoices.append(Record(model=record.model, external_id=record.external_id, fields=fields,
                                   source_updated_at=record.source_updated_at, raw=record.raw))
        return invoices + payments, tuple(sets)

    def _learn_credited_statuses(self, records: list[Record]) -> None:
        """Statuses of the invoices this page's credit notes credit (one request for those not seen yet)."""
        missing = sorted({c for r in records if not r.deleted and not r.reject_reason and r.model == "invoice"
                          and (c := _link_id(r.raw, "credited_invoice")) and c not in self.invoice_status})
        for start in range(0, len(missing), 100):
            for item in self._by_ids("customer_invoices", missing[start: start + 100]):
                self.invoice_status[str(item["id"])] = str(item.get("status") or "")

    def _settlements(self, resource: str, record: Record, settled: Decimal) -> list[Record] | None:
        """Payment records explaining up to `settled` EUR of this invoice, oldest first; None if refused."""
        if SETTLED_RESOURCES[resource] in self.settlements_refused:
            return None
        invoice_id = record.external_id
        # Money comes in on a customer invoice and goes out on a supplier's: what settles is its size.
        try:
            found = [(_date(t, "date"), f"{invoice_id}:tx:{t['id']}", abs(_decimal(t, "amount")), "bank")
                     for t in self._all(f"/{resource}/{invoice_id}/matched_transactions",
                                        {"limit": 100, "sort": "id"})]
            if sum((a for _d, _i, a, _k in found), Decimal(0)) < settled:
                found += [(_datetime(p.get("updated_at")).date(), f"{invoice_id}:payment:{p['id']}",
                           abs(_decimal(p, "currency_amount")) * (record.fields["exchange_rate"] or 1), "payment")
                          for p in self._all(f"/{resource}/{invoice_id}/payments", {"limit": 100, "sort": "id"})
                          if p.get("status") in PAID_PAYMENT_STATUSES and _datetime(p.get("updated_at"))]
        except ResourceRefused as exc:
            if exc.status == 404:
                return None  # this invoice went away meanwhile: its settlements are read with it next time
            self.settlements_refused[SETTLED_RESOURCES[resource]] = exc.message
            return None
        except (Malformed, KeyError, TypeError):
            return []
        rows, left = [], settled
        for day, external_id, amount, kind in sorted(found):
            if left <= 0 or amount <= 0:
                continue
            # A transaction may settle several invoices: this invoice takes no more than was paid on it.
            share = min(amount, left)
            left -= share
            rows.append(Record(model="payment", external_id=external_id,
                               fields={"invoice_external_id": invoice_id, "kind": kind, "date": day,
                                       "amount": share.quantize(Decimal("0.01"))},
                               source_updated_at=record.source_updated_at))
        return rows
