"""Xero (Accounting API 2.0): one organisation (tenant) per connection, OAuth 2.0 only.

Every call sends `xero-tenant-id` (the connection's `provider_account_id`). Each sync reads the chart of
accounts whole (the journal lines are joined to it), then per collection — contacts, invoices (ACCREC
sales, ACCPAY bills), credit notes, payments, bank transactions — the pages changed since the stored
time (`If-Modified-Since`, `page=`/`pageSize`, resumed from the stored page), and the general ledger
from `/Journals?offset=<last journal number>`, 100 journals a call. Xero removes nothing: deleted and
voided documents come back with their status (kept, never counted), a void posts a reversing journal.
The cursor never moves past the time the sync started. Budgets per tenant (60 a minute, 5,000 a day)
and per app (10,000 a minute) are shared in Redis; 429s honour `Retry-After`, and a spent daily budget
re-queues the run instead of sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from integrations.base import AccountInfo, Connector, ConnectorError, Cursor, Page, Record, fiscal_year_page
from integrations.http import ProviderClient, ProviderError, transport_for
from integrations.oauth import ChooseAccount, OAuthApp, oauth_access_token, oauth_token_refresh
from integrations.providers.xero import mapping
from integrations.ratelimit import rate_limiters

logger = logging.getLogger("integrations.xero")

# (collection, what its rows become); Accounts is read first, whole, on every sync; Journals last.
COLLECTIONS = ("Contacts", "Invoices", "CreditNotes", "Payments", "BankTransactions")
# If-Modified-Since is to the second: ask again for the minute before the stored time, so a change made
# in the second the previous read started is not missed (re-reading a document is idempotent).
OVERLAP = timedelta(minutes=1)


class XeroOAuth(OAuthApp):
    provider = "xero"
    label = "Xero"
    settings_prefix = "XERO"
    token_endpoint_auth_method = "client_secret_basic"  # Xero: HTTP Basic with the client id and secret
    default_expires_in = 1800

    def tenants(self, access_token: str) -> list[dict[str, Any]]:
        """The organisations the user granted (`GET /connections`), for the one connection to choose."""
        base = settings.XERO_API_BASE_URL.rstrip("/")
        with httpx.Client(transport=transport_for(base), timeout=settings.INTEGRATIONS_HTTP_TIMEOUT) as client:
            try:
                response = client.get(f"{base}/connections", headers={"Authorization": f"Bearer {access_token}"})
            except httpx.TransportError as exc:
                raise ConnectorError(_("Xero could not be reached (%(error)s).") % {"error": type(exc).__name__},
                                     permanent=False) from None
        if response.status_code != 200:
            raise ConnectorError(_("Xero did not list the connected organisations (%(status)s): connect Xero again.")
                                 % {"status": response.status_code}, permanent=True)
        return [c for c in response.json() if c.get("tenantType") == "ORGANISATION"]

    def accounts_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> list[AccountInfo]:
        """The organisations the consent granted; several → the admin chooses one (one connection, one tenant)."""
        found = [AccountInfo(account_id=t["tenantId"], name=t.get("tenantName", ""))
                 for t in self.tenants(tokens["access_token"])]
        if not found:
            raise ConnectorError(_("Xero connected no organisation: connect Xero again and tick one organisation."),
                                 permanent=True)
        return found

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        accounts = self.accounts_from(tokens=tokens, extras=extras)
        if len(accounts) > 1:
            raise ChooseAccount(accounts)  # the shared choice page asks which one
        return accounts[0]

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        return {}


def _if_modified_since(since: str) -> str:
    return (datetime.fromisoformat(since) - OVERLAP).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class XeroConnector(Connector):
    key = "xero"
    label = _l("Xero")
    auth = "oauth"
    token_form = False  # Xero issues tokens only through OAuth
    app = XeroOAuth()

    def __init__(self, connection, *, now=None, sleep=None) -> None:
        super().__init__(connection)
        self.now = now or (lambda: datetime.now(UTC))
        self.sleep = sleep
        self._client: ProviderClient | None = None

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def tenant(self) -> str:
        return self.connection.provider_account_id

    def _token(self) -> str:
        return oauth_access_token(app=self.app, connection=self.connection, client=self._client)

    def _http(self) -> ProviderClient:
        token = self._token()
        if self._client is None:
            (minute, minute_window), (day, day_window), (app, app_window) = (
                settings.XERO_RATE_LIMIT, settings.XERO_DAILY_LIMIT, settings.XERO_APP_RATE_LIMIT)
            self._client = ProviderClient(
                base_url=f"{settings.XERO_API_BASE_URL.rstrip('/')}/api.xro/2.0", token=token,
                headers={"xero-tenant-id": self.tenant},
                limiter=rate_limiters((f"xero:{self.tenant}:minute", minute, minute_window),
                                      (f"xero:{self.tenant}:day", day, day_window),
                                      ("xero:app:minute", app, app_window), sleep=self.sleep),
                sleep=self.sleep)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None, *, since: str | None = None) -> dict[str, Any]:
        headers = {"If-Modified-Since": _if_modified_since(since)} if since else None
        for attempt in (1, 2):
            try:
                return self._http().get(path, params=params, headers=headers)
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1:  # expired early: refresh once, then try again
                    oauth_token_refresh(app=self.app, connection=self.connection, force=True)
                    self._http().set_token(self.connection.credentials["access_token"])
                    continue
                logger.warning("Xero %s answered %s (%s) for tenant %s", path, exc.status, exc.error, self.tenant)
                raise self._explain(exc) from None
        raise AssertionError("unreachable")

    def _explain(self, exc: ProviderError) -> ConnectorError:
        if exc.status == 401:
            return ConnectorError(_("Xero refused the access (401): connect Xero again."), permanent=True)
        if exc.status == 403:
            return ConnectorError(_("Xero refused this organisation's data (403): the organisation was disconnected "
                                    "from Pilotage or the user lost access; connect Xero again."), permanent=True)
        return exc

    @property
    def page_size(self) -> int:
        return settings.XERO_PAGE_SIZE

    # --- the interface ----------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        organisation = self.organisation()
        return AccountInfo(account_id=self.tenant, name=organisation.get("Name", ""))

    def organisation(self) -> dict[str, Any]:
        """Name, BaseCurrency and the financial year end (FinancialYearEndDay/Month) of the tenant."""
        return (self._get("/Organisation").get("Organisations") or [{}])[0]

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        yield fiscal_year_page(mapping.fiscal_year_start_month(self.organisation()))
        yield self._accounts()
        for index, collection in enumerate(COLLECTIONS):
            progress = (index + 1) / (len(COLLECTIONS) + 2)
            yield from self._changed(collection, cursors.get(collection) or {}, started, progress)
        yield from self._journals(cursors.get("Journals") or {})

    def _accounts(self) -> Page:
        rows = self._get("/Accounts").get("Accounts") or []
        records = [mapping.account_record(r) for r in rows]
        records += [mapping.bank_account_record(r) for r in rows if r.get("Type") == "BANK"]
        return Page(object_type="Accounts", records=records, cursor={}, progress=0.05)

    def _changed(self, collection: str, cursor: Cursor, started: datetime, progress: float) -> Iterator[Page]:
        """The pages of what changed since the stored time (everything the first time), resumed at the stored page."""
        since = cursor.get("since")
        page = int(cursor.get("page") or 1)
        listing_started = cursor.get("started") or started.isoformat()
        params: dict[str, Any] = {"pageSize": self.page_size}
        if collection == "Contacts":
            params["includeArchived"] = "true"
        while True:
            rows = self._get(f"/{collection}", {**params, "page": page}, since=since).get(collection) or []
            done = len(rows) < self.page_size
            cursor = ({"since": listing_started} if done
                      else {"since": since, "page": page + 1, "started": listing_started})
            yield Page(object_type=collection, records=self._records(collection, rows), cursor=cursor, progress=progress)
            if done:
                return
            page += 1

    def _journals(self, cursor: Cursor) -> Iterator[Page]:
        """The general ledger: journals are numbered and immutable, read after the last number stored."""
        offset = int(cursor.get("offset") or 0)
        while True:
            rows = self._get("/Journals", {"offset": offset}).get("Journals") or []
            records = [line for journal in rows for line in mapping.ledger_lines(journal)]
            offset = max([offset, *(int(j["JournalNumber"]) for j in rows)])
            yield Page(object_type="Journals", records=records, cursor={"offset": offset}, progress=0.95)
            if len(rows) < settings.XERO_JOURNALS_PER_CALL:
                return

    @staticmethod
    def _records(collection: str, rows: list[dict[str, Any]]) -> list[Record]:
        out: list[Record] = []
        for row in rows:
            if collection == "Contacts":
                out += mapping.contact_records(row)
            elif collection == "Invoices":
                out.append(mapping.invoice_record(row))
            elif collection == "CreditNotes":
                out += mapping.credit_note_records(row)
            elif collection == "Payments":
                if (row.get("Invoice") or {}).get("InvoiceID"):
                    out.append(mapping.payment_record(row))
            elif collection == "BankTransactions":
                out.append(mapping.bank_transaction_record(row))
        return out
