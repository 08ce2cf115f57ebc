"""QuickBooks Online (Accounting API v3): one company (`realmId`) per connection, OAuth 2.0 only.

Each sync lists the chart of accounts whole (the lines are joined to it), then per entity either lists
everything through the query endpoint (`STARTPOSITION`/`MAXRESULTS`, 1,000 a page, resumed from the
stored position) or, once listed, reads what changed through Change Data Capture since the stored
time (deletions come back with `status: "Deleted"` and become tombstones). CDC looks back 30 days:
an older cursor lists the entity again. The cursor never moves past the time the sync started.
Every request sends `minorversion`; 429s (per-realm limits) and 5xx retry through ProviderClient,
and the `intuit_tid` of a failed call is logged for Intuit's support.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from integrations.base import AccountInfo, Connector, ConnectorError, Cursor, Page, Record
from integrations.http import ProviderClient, ProviderError
from integrations.oauth import OAuthApp, access_token_is_due, oauth_token_refresh
from integrations.providers.quickbooks import mapping
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.quickbooks")

# (entity, what its documents become); Account is read first, whole, on every sync.
ENTITIES = ("Customer", "Vendor", "Invoice", "Payment", "Bill", "JournalEntry")
CDC_WINDOW = timedelta(days=30)
# CDC times are to the second: ask again for the last minute before `since`, so a change made in the same
# second the previous read started is not missed (re-reading a document is idempotent).
CDC_OVERLAP = timedelta(minutes=1)
RECONCILED = {"Customer": ("customer", None), "Vendor": ("supplier", None),
              "Invoice": ("invoice", {"kind": "customer"}), "Bill": ("invoice", {"kind": "supplier"})}


class QuickBooksOAuth(OAuthApp):
    provider = "quickbooks"
    label = "QuickBooks Online"
    settings_prefix = "QUICKBOOKS"
    token_endpoint_auth_method = "client_secret_basic"  # Intuit: HTTP Basic with the client id and secret
    callback_params = ("realmId",)
    default_expires_in = 3600

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        realm = extras.get("realmId", "")
        if not realm.isdigit():
            raise ConnectorError(_("QuickBooks did not say which company was connected: connect QuickBooks again."),
                                 permanent=True)
        return AccountInfo(account_id=realm, name=f"QuickBooks {realm}")

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        return {"realm_id": extras.get("realmId", "")}


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


class QuickBooksConnector(Connector):
    key = "quickbooks"
    label = _l("QuickBooks Online")
    auth = "oauth"
    token_form = False  # Intuit issues tokens only through OAuth
    app = QuickBooksOAuth()

    def __init__(self, connection, *, now=None, sleep=None) -> None:
        super().__init__(connection)
        self.now = now or (lambda: datetime.now(UTC))
        self.sleep = sleep
        self._client: ProviderClient | None = None
        self.receivable = ""
        self.payable = ""

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def realm(self) -> str:
        return self.connection.provider_account_id or self.connection.credentials.get("realm_id", "")

    def _token(self) -> str:
        creds = self.connection.credentials
        if not creds.get("access_token"):
            raise ConnectorError(_("No QuickBooks access is stored: connect QuickBooks again."), permanent=True)
        if access_token_is_due(self.app, creds):
            oauth_token_refresh(app=self.app, connection=self.connection)
            if self._client is not None:
                self._client.set_token(self.connection.credentials["access_token"])
        return self.connection.credentials["access_token"]

    def _http(self) -> ProviderClient:
        token = self._token()
        if self._client is None:
            limit, window = settings.QUICKBOOKS_RATE_LIMIT
            self._client = ProviderClient(
                base_url=f"{settings.QUICKBOOKS_API_BASE_URL.rstrip('/')}/v3/company/{self.realm}", token=token,
                limiter=rate_limiter(key=f"quickbooks:{self.realm}", limit=limit, window=window, sleep=self.sleep),
                sleep=self.sleep)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        params = {**params, "minorversion": settings.QUICKBOOKS_MINOR_VERSION}
        for attempt in (1, 2):
            try:
                return self._http().get(path, params=params)
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1:  # expired early: refresh once, then try again
                    oauth_token_refresh(app=self.app, connection=self.connection, force=True)
                    self._http().set_token(self.connection.credentials["access_token"])
                    continue
                logger.warning("QuickBooks %s answered %s (realm %s)", path, exc.status, self.realm)
                raise self._explain(exc) from None
        raise AssertionError("unreachable")

    def _explain(self, exc: ProviderError) -> ConnectorError:
        if exc.status == 401:
            return ConnectorError(_("QuickBooks refused the access (401): connect QuickBooks again."), permanent=True)
        if exc.status == 403:
            return ConnectorError(_("QuickBooks refused this company's data (403): the connected user needs the "
                                    "accounting scope and an admin role."), permanent=True)
        return exc

    def _query(self, statement: str) -> dict[str, Any]:
        return self._get("/query", {"query": statement}).get("QueryResponse") or {}

    # --- the interface ----------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        body = self._get(f"/companyinfo/{self.realm}", {})
        info = body.get("CompanyInfo") or {}
        return AccountInfo(account_id=self.realm, name=info.get("CompanyName", ""))

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        yield self._accounts()
        for index, entity in enumerate(ENTITIES):
            cursor = cursors.get(entity) or {}
            progress = (index + 1) / (len(ENTITIES) + 1)
            since = cursor.get("since")
            if cursor.get("phase") == "cdc" and since and datetime.fromisoformat(since) > started - CDC_WINDOW:
                yield from self._changes(entity, since, started, progress)
            else:
                yield from self._listing(entity, cursor if cursor.get("phase") == "list" else {}, started, progress)

    def _accounts(self) -> Page:
        rows, position = [], 1
        while True:
            found = self._query(f"SELECT * FROM Account STARTPOSITION {position} MAXRESULTS {self.page_size}")
            batch = found.get("Account") or []
            rows += batch
            if len(batch) < self.page_size:
                break
            position += len(batch)
        for row in rows:
            if row.get("AccountType") == "Accounts Receivable" and not self.receivable:
                self.receivable = str(row["Id"])
            if row.get("AccountType") == "Accounts Payable" and not self.payable:
                self.payable = str(row["Id"])
        records = [mapping.account_record(r) for r in rows] + [mapping.tax_account_record()]
        return Page(object_type="Account", records=records, cursor={}, progress=0.05)

    @property
    def page_size(self) -> int:
        return settings.QUICKBOOKS_PAGE_SIZE

    def _listing(self, entity: str, cursor: Cursor, started: datetime, progress: float) -> Iterator[Page]:
        position = int(cursor.get("position") or 1)
        listing_started = cursor.get("started") or started.isoformat()
        first = position == 1
        while True:
            batch = self._query(f"SELECT * FROM {entity} ORDERBY Id STARTPOSITION {position} "
                                f"MAXRESULTS {self.page_size}").get(entity) or []
            done = len(batch) < self.page_size
            position += len(batch)
            cursor = ({"phase": "cdc", "since": listing_started} if done
                      else {"phase": "list", "position": position, "started": listing_started})
            # A complete listing of customers, vendors, invoices or bills tombstones what it lacked.
            reconciled, only = RECONCILED.get(entity, (None, None))
            yield Page(object_type=entity, records=self._records(entity, batch), cursor=cursor, progress=progress,
                       listing_starts=reconciled if first else None, listing_complete=reconciled if done else None,
                       listing_filter=only, complete_sets=self._line_sets(entity, batch))
            first = False
            if done:
                return

    def _changes(self, entity: str, since: str, started: datetime, progress: float) -> Iterator[Page]:
        changed_since = datetime.fromisoformat(since) - CDC_OVERLAP
        body = self._get("/cdc", {"entities": entity, "changedSince": _ts(changed_since)})
        docs: list[dict[str, Any]] = []
        for response in body.get("CDCResponse") or []:
            for part in response.get("QueryResponse") or []:
                docs += part.get(entity) or []
        gone = [d for d in docs if d.get("status") == "Deleted"]
        alive = [d for d in docs if d.get("status") != "Deleted"]
        records = self._records(entity, alive) + [r for d in gone for r in self._tombstones(entity, d)]
        yield Page(object_type=entity, records=records, cursor={"phase": "cdc", "since": started.isoformat()},
                   progress=progress, complete_sets=self._line_sets(entity, alive + gone))

    @staticmethod
    def _model(entity: str) -> str:
        return {"Customer": "customer", "Vendor": "supplier", "Invoice": "invoice", "Bill": "invoice",
                "Payment": "payment", "JournalEntry": "ledgerline"}[entity]

    def _tombstones(self, entity: str, doc: dict[str, Any]) -> list[Record]:
        external = {"Customer": str(doc["Id"]), "Vendor": str(doc["Id"]), "Invoice": f"inv:{doc['Id']}",
                    "Bill": f"bill:{doc['Id']}"}.get(entity)
        return [Record(model=self._model(entity), external_id=external, deleted=True)] if external else []

    def _line_sets(self, entity: str, docs: list[dict[str, Any]]):
        """Each document's postings are re-read whole: the lines it no longer has (or all, once deleted) go."""
        if entity in ("Customer", "Vendor"):
            return ()
        sets = []
        for doc in docs:
            lines = [] if doc.get("status") == "Deleted" else mapping.ledger_lines(
                entity, doc, receivable=self.receivable, payable=self.payable)
            sets.append(("ledgerline", {"entry_external_id": f"{entity}:{doc['Id']}"},
                         frozenset(r.external_id for r in lines)))
            if entity == "Payment":
                settled = [] if doc.get("status") == "Deleted" else mapping.payment_records(doc)
                sets.append(("payment", {"external_id__startswith": f"pay:{doc['Id']}:"},
                             frozenset(r.external_id for r in settled)))
        return tuple(sets)

    def _records(self, entity: str, docs: list[dict[str, Any]]) -> list[Record]:
        if entity == "Customer":
            return [mapping.customer_record(d) for d in docs]
        if entity == "Vendor":
            return [mapping.vendor_record(d) for d in docs]
        out: list[Record] = []
        paid_on = self._paid_dates(docs) if entity == "Invoice" else {}
        for doc in docs:
            if entity in ("Invoice", "Bill"):
                out.append(mapping.invoice_record(doc, kind="customer" if entity == "Invoice" else "supplier",
                                                  paid_on=paid_on.get(str(doc["Id"])) or (
                                                      mapping._date(doc.get("TxnDate")) if entity == "Bill" else None)))
            if entity == "Payment":
                out += mapping.payment_records(doc)
            out += mapping.ledger_lines(entity, doc, receivable=self.receivable, payable=self.payable)
        return out

    def _paid_dates(self, invoices: list[dict[str, Any]]) -> dict[str, Any]:
        """The real paid date of each settled invoice: the day of its last payment (one query a page)."""
        linked = {str(t["TxnId"]): str(inv["Id"]) for inv in invoices if mapping.money(inv.get("Balance")) == 0
                  for t in inv.get("LinkedTxn") or [] if t.get("TxnType") == "Payment"}
        if not linked:
            return {}
        ids = ",".join(f"'{i}'" for i in sorted(linked))
        payments = self._query(f"SELECT * FROM Payment WHERE Id IN ({ids}) MAXRESULTS {self.page_size}").get("Payment") or []
        paid: dict[str, Any] = {}
        for payment in payments:
            invoice = linked.get(str(payment["Id"]))
            day = mapping._date(payment.get("TxnDate"))
            if invoice and day and (invoice not in paid or day > paid[invoice]):
                paid[invoice] = day
        return paid
