"""Sage Business Cloud Accounting (API v3.1): one business (`X-Business`) per connection, OAuth 2.0 only.

Each sync reads the financial settings and the chart of accounts whole (the lines are joined to it), then
per resource either lists everything (`attributes=all`, `items_per_page` ≤ 200, following `$next` — a page
past the last answers the last page again, so page numbers are never counted up blindly; resumed from the
stored `$next`), or, once listed, reads what changed with `updated_or_created_since` (inclusive) and what
was deleted with `deleted_since` since the time the previous read started; the cursor never moves past
the time this sync started. Access tokens last 5 minutes and refresh tokens rotate on every use: the
shared OAuth base refreshes one connection at a time and stores the new pair first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from integrations.base import (AccountInfo, Connector, ConnectorError, Cursor, Page, Record, ResourceRefused,
                               fiscal_year_page, skipped_page)
from integrations.http import ProviderClient, ProviderError
from integrations.messages import ReaderMessage, record_named, unreadable
from integrations.oauth import ChooseAccount, OAuthApp, oauth_access_token, oauth_token_refresh
from integrations.providers.sage import mapping
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.sage")

RESOURCES = ("contacts", "sales_invoices", "sales_credit_notes", "purchase_invoices", "purchase_credit_notes",
             "ledger_entries", "bank_accounts", *mapping.BANK_MOVEMENTS)
# Clocks differ: ask again for the minute before the stored time (re-reading a record is idempotent).
OVERLAP = timedelta(minutes=1)
RECONCILED = {"contacts": None, **{r: ("invoice", {"external_id__startswith": f"{p}:"})
                                    for r, (_k, _c, p) in mapping.DOCUMENTS.items()},
              "bank_accounts": ("bankaccount", {}),
              **{r: ("banktransaction", {"external_id__startswith": f"{p}:"}) for r, p in mapping.BANK_MOVEMENTS.items()}}
# What a resource is called, and what will not show when the connected user's role has no access to it.
WHAT_WILL_NOT_SHOW = {
    "contacts": (_l("Contacts"), _l("customer and supplier names")),
    "sales_invoices": (_l("Sales invoices"), _l("sales, receivables and DSO")),
    "sales_credit_notes": (_l("Sales credit notes"), _l("credit notes")),
    "purchase_invoices": (_l("Purchase invoices"), _l("purchases and payables")),
    "purchase_credit_notes": (_l("Purchase credit notes"), _l("supplier credit notes")),
    "ledger_entries": (_l("Ledger entries"), _l("the ledger (SIG)")),
    "bank_accounts": (_l("Bank accounts"), _l("cash balances")),
    "contact_payments": (_l("Customer receipts and supplier payments"), _l("bank movements")),
    "other_payments": (_l("Other receipts and payments"), _l("bank movements")),
}


def _businesses(token: str) -> list[dict[str, Any]]:
    client = ProviderClient(base_url=settings.SAGE_API_BASE_URL, token=token,
                            limiter=rate_limiter(key="sage:businesses", limit=50, window=10))
    try:
        return client.get("/businesses", params={"items_per_page": 200}).get("$items") or []
    finally:
        client.close()


class SageOAuth(OAuthApp):
    provider = "sage"
    label = "Sage Accounting"
    settings_prefix = "SAGE"
    token_endpoint_auth_method = "client_secret_post"
    callback_params = ("country",)  # Sage's callback says the edition's country (fr, gb, …)
    default_expires_in = 300
    refresh_margin = 60  # access tokens last 5 minutes: refresh in the last minute, not before every call

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        """The business these tokens reach: the user's only one, or the one the admin chooses among several
        (an accountancy practice's user reaches many: the shared choice page asks)."""
        try:
            found = _businesses(tokens["access_token"])
        except ProviderError as exc:
            raise ConnectorError(_("Sage did not list the businesses of this user (%(status)s): connect Sage again.")
                                 % {"status": exc.status}, permanent=True) from None
        accounts = [AccountInfo(account_id=str(b["id"]), name=str(b.get("displayed_as") or "")) for b in found]
        if not accounts:
            raise ConnectorError(_("This Sage user reaches no business: connect with a user of the company's "
                                   "business."), permanent=True)
        if len(accounts) > 1:
            raise ChooseAccount(accounts)
        return accounts[0]

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        return {"country": (extras.get("country") or "").upper()[:2]}


class SageConnector(Connector):
    key = "sage"
    label = _l("Sage Business Cloud Accounting")
    auth = "oauth"
    token_form = False  # Sage issues tokens only through OAuth
    app = SageOAuth()

    def __init__(self, connection, *, now=None, sleep=None) -> None:
        super().__init__(connection)
        self.now = now or (lambda: datetime.now(UTC))
        self.sleep = sleep
        self._client: ProviderClient | None = None
        self.financial_settings: dict[str, Any] = {}

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def business(self) -> str:
        return self.connection.provider_account_id

    @property
    def base_currency(self) -> str:
        return str((self.financial_settings.get("base_currency") or {}).get("id") or "EUR")[:3]

    @property
    def pcg_native(self) -> bool:
        """The French edition (Sage Comptabilité) keeps a PCG chart: its nominal codes are PCG numbers."""
        return self.connection.credentials.get("country", "") == "FR"

    def _token(self) -> str:
        return oauth_access_token(app=self.app, connection=self.connection, client=self._client)

    def _http(self) -> ProviderClient:
        token = self._token()
        if self._client is None:
            limit, window = settings.SAGE_RATE_LIMIT
            self._client = ProviderClient(
                base_url=settings.SAGE_API_BASE_URL, token=token, headers={"X-Business": self.business},
                limiter=rate_limiter(key=f"sage:{self.business}", limit=limit, window=window, sleep=self.sleep),
                sleep=self.sleep)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None, *, resource: str = "") -> dict[str, Any]:
        for attempt in (1, 2):
            try:
                return self._http().get(path, params=params)
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1:  # expired early (5-minute tokens): refresh once, retry
                    oauth_token_refresh(app=self.app, connection=self.connection, force=True)
                    self._http().set_token(self.connection.credentials["access_token"])
                    continue
                logger.warning("Sage %s answered %s %s (business %s)", path.split("?")[0], exc.status, exc.error,
                               self.business)
                raise self._explain(exc, resource) from None
        raise AssertionError("unreachable")

    def _explain(self, exc: ProviderError, resource: str) -> ConnectorError:
        if exc.status == 401:
            return ConnectorError(_("Sage refused the access (401): connect Sage again."), permanent=True)
        if exc.status == 403 and resource:
            label, missing = WHAT_WILL_NOT_SHOW[resource]
            return ResourceRefused(ReaderMessage("%(resource)s: the connected Sage user has no access to this "
                                                 "area — %(missing)s will not show.", resource=label,
                                                 missing=missing), object_type=resource)
        if exc.status == 403:
            return ConnectorError(_("Sage refused this business's data (403): the connected user needs access to "
                                    "it."), permanent=True)
        return exc

    @property
    def page_size(self) -> int:
        return settings.SAGE_ITEMS_PER_PAGE

    def _first_page(self, resource: str, **filters: str) -> str:
        params = {"items_per_page": self.page_size, **filters}
        if not filters.get("deleted_since"):
            params["attributes"] = "all"
        if resource in mapping.DOCUMENTS and not filters.get("deleted_since"):
            params["show_payments_allocations"] = "true"
        return f"/{resource}?{urlencode(params)}"

    def _pages(self, path: str, resource: str) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """Each page's items and the `$next` link (None on the last page)."""
        while path:
            body = self._get(path, resource=resource)
            nxt = body.get("$next") or None
            yield body.get("$items") or [], nxt
            path = nxt

    # --- the interface ----------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        self.financial_settings = self._get("/financial_settings")
        return AccountInfo(account_id=self.business, name=self.connection.label)

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        self.financial_settings = self._get("/financial_settings")
        yield fiscal_year_page(mapping.fiscal_year_start_month(self.financial_settings))
        yield self._accounts()
        for index, resource in enumerate(RESOURCES):
            cursor = cursors.get(resource) or {}
            progress = (index + 1) / (len(RESOURCES) + 1)
            try:
                if cursor.get("phase") == "since" and cursor.get("since"):
                    yield from self._changes(resource, cursor["since"], started, progress)
                else:
                    yield from self._listing(resource, cursor if cursor.get("phase") == "list" else {}, started,
                                             progress)
            except ResourceRefused as refused:
                yield skipped_page(resource, refused.message, cursor)

    def _accounts(self) -> Page:
        rows = [r for items, _next in self._pages(self._first_page("ledger_accounts"), "") for r in items]
        return Page(object_type="ledger_accounts", records=[mapping.account_record(r, pcg_native=self.pcg_native)
                                                            for r in rows], cursor={}, progress=0.05)

    def _listing(self, resource: str, cursor: Cursor, started: datetime, progress: float) -> Iterator[Page]:
        listing_started = cursor.get("started") or started.isoformat()
        first = not cursor.get("next")
        reconciled = RECONCILED.get(resource)
        for items, nxt in self._pages(cursor.get("next") or self._first_page(resource), resource):
            done = nxt is None
            page_cursor = ({"phase": "since", "since": listing_started} if done
                           else {"phase": "list", "next": nxt, "started": listing_started})
            model, only = reconciled if reconciled else (None, None)
            yield Page(object_type=resource, records=self._records(resource, items), cursor=page_cursor,
                       progress=progress, listing_starts=model if first else None,
                       listing_complete=model if done else None, listing_filter=only,
                       complete_sets=self._payment_sets(resource, items))
            first = False

    def _changes(self, resource: str, since: str, started: datetime, progress: float) -> Iterator[Page]:
        moment = (datetime.fromisoformat(since) - OVERLAP).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        keep = {"phase": "since", "since": since}  # a sync killed midway reads the same window again
        for items, _next in self._pages(self._first_page(resource, updated_or_created_since=moment), resource):
            yield Page(object_type=resource, records=self._records(resource, items), cursor=keep, progress=progress,
                       complete_sets=self._payment_sets(resource, items))
        gone: list[dict[str, Any]] = []
        for items, _next in self._pages(self._first_page(resource, deleted_since=moment), resource):
            gone += items
        yield Page(object_type=resource, records=[r for d in gone for r in self._tombstones(resource, d)],
                   cursor={"phase": "since", "since": started.isoformat()}, progress=progress,
                   complete_sets=tuple(("payment", {"external_id__startswith": f"{mapping.document_id(resource, d['id'])}:"},
                                        frozenset()) for d in gone if resource in mapping.DOCUMENTS))

    @staticmethod
    def _tombstones(resource: str, doc: dict[str, Any]) -> list[Record]:
        object_id = str(doc["id"])
        if resource == "contacts":
            return [Record(model="customer", external_id=object_id, deleted=True),
                    Record(model="supplier", external_id=object_id, deleted=True)]
        if resource == "ledger_entries":
            return [Record(model="ledgerline", external_id=object_id, deleted=True)]
        if resource == "bank_accounts":
            return [Record(model="bankaccount", external_id=object_id, deleted=True)]
        if resource in mapping.BANK_MOVEMENTS:
            return [Record(model="banktransaction", external_id=mapping.movement_id(resource, object_id), deleted=True)]
        return [Record(model="invoice", external_id=mapping.document_id(resource, object_id), deleted=True)]

    @staticmethod
    def _payment_sets(resource: str, docs: list[dict[str, Any]]):
        """An invoice's payments and allocations are re-read whole with it: those it no longer lists go."""
        if resource not in mapping.DOCUMENTS:
            return ()
        sets = []
        for doc in docs:
            invoice = mapping.document_id(resource, str(doc["id"]))
            try:
                payments = mapping.payment_records(resource, doc)
            except (KeyError, TypeError, ValueError, ArithmeticError):
                continue  # the document is rejected (`_records`): its stored payments stay as they were
            sets.append(("payment", {"external_id__startswith": f"{invoice}:"},
                         frozenset(r.external_id for r in payments)))
        return tuple(sets)

    def _records(self, resource: str, docs: list[dict[str, Any]]) -> list[Record]:
        out: list[Record] = []
        for doc in docs:
            try:
                if resource == "contacts":
                    out += mapping.contact_records(doc)
                elif resource == "ledger_entries":
                    out.append(mapping.ledger_line(doc))
                elif resource == "bank_accounts":
                    out.append(mapping.bank_account_record(doc, base_currency=self.base_currency))
                elif resource in mapping.BANK_MOVEMENTS:
                    out.append(mapping.bank_movement_record(resource, doc))
                else:
                    out.append(mapping.invoice_record(resource, doc))
                    out += mapping.payment_records(resource, doc)
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                model = {"contacts": "customer", "ledger_entries": "ledgerline", "bank_accounts": "bankaccount",
                         **dict.fromkeys(mapping.BANK_MOVEMENTS, "banktransaction")}.get(resource, "invoice")
                external_id = str(doc.get("id", ""))
                out.append(Record(model=model, external_id=external_id, raw=doc,
                                  reject_reason=record_named(model, external_id, unreadable(exc))))
        return out
