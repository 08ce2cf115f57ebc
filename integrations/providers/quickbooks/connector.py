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

from integrations.base import AccountInfo, Connector, ConnectorError, Cursor, Page, Record, fiscal_year_page
from integrations.http import ProviderClient, ProviderError
from integrations.oauth import OAuthApp, oauth_access_token, oauth_token_refresh
from integrations.providers.quickbooks import mapping
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.quickbooks")

# (entity, what its documents become); Account is read first, whole, on every sync.
# CreditMemo before Payment (a Payment applies credit memos to invoices), Bill before BillPayment.
ENTITIES = ("Customer", "Vendor", "Invoice", "CreditMemo", "Payment", "Bill", "BillPayment", "Deposit", "Purchase",
            "JournalEntry")
DOCUMENTS = {"Invoice", "CreditMemo", "Payment", "Bill", "BillPayment", "Deposit", "Purchase", "JournalEntry"}
# The accounts money moves through: their postings are also the company's bank transactions.
BANK_TYPES = ("Bank", "Credit Card")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
CDC_WINDOW = timedelta(days=30)
# CDC times are to the second: ask again for the last minute before `since`, so a change made in the same
# second the previous read started is not missed (re-reading a document is idempotent).
CDC_OVERLAP = timedelta(minutes=1)
RECONCILED = {"Customer": ("customer", None), "Vendor": ("supplier", None),
              "Invoice": ("invoice", {"kind": "customer", "is_credit_note": False}),
              "CreditMemo": ("invoice", {"kind": "customer", "is_credit_note": True}),
              "Bill": ("invoice", {"kind": "supplier"})}


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
        self.undeposited = ""
        self.bank_accounts: set[str] = set()

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def realm(self) -> str:
        return self.connection.provider_account_id or self.connection.credentials.get("realm_id", "")

    def _token(self) -> str:
        return oauth_access_token(app=self.app, connection=self.connection, client=self._client)

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
                # Intuit's support finds a failed call by its intuit_tid: logged, and said in the run's error.
                tid = exc.headers.get("intuit_tid", "") if exc.headers else ""
                logger.warning("QuickBooks %s answered %s (realm %s, intuit_tid %s)", path, exc.status, self.realm,
                               tid or "-")
                raise self._explain(exc, tid) from None
        raise AssertionError("unreachable")

    def _explain(self, exc: ProviderError, tid: str) -> ConnectorError:
        if exc.status == 401:
            message = _("QuickBooks refused the access (401): connect QuickBooks again.")
        elif exc.status == 403:
            message = _("QuickBooks refused this company's data (403): the connected user needs the "
                        "accounting scope and an admin role.")
        else:
            message = str(exc)
        if tid:
            message = _("%(message)s (intuit_tid %(tid)s)") % {"message": message, "tid": tid}
        if exc.status in (401, 403):
            return ConnectorError(message, permanent=True)
        return ProviderError(message, status=exc.status, error=exc.error, details=exc.details,
                             permanent=exc.permanent, retry_after=exc.retry_after, headers=exc.headers)

    def _query(self, statement: str) -> dict[str, Any]:
        return self._get("/query", {"query": statement}).get("QueryResponse") or {}

    # --- the interface ----------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        return AccountInfo(account_id=self.realm, name=self._company_info().get("CompanyName", ""))

    def _company_info(self) -> dict[str, Any]:
        return self._get(f"/companyinfo/{self.realm}", {}).get("CompanyInfo") or {}

    def _fiscal_year(self) -> Page:
        """CompanyInfo's `FiscalYearStartMonth` (a month's English name), kept on the connection (its fiscal
        year cursor); the sync applies it to an organization still on the default January."""
        month = self._company_info().get("FiscalYearStartMonth") or ""
        number = MONTHS.index(month) + 1 if month in MONTHS else None
        return fiscal_year_page(number)

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now()
        yield self._fiscal_year()
        yield self._accounts()
        for index, entity in enumerate(ENTITIES):
            cursor = cursors.get(entity) or {}
            progress = (index + 1) / (len(ENTITIES) + 1)
            since = cursor.get("since")
            if cursor.get("phase") == "cdc" and since and datetime.fromisoformat(since) > started - CDC_WINDOW:
                yield from self._changes(entity, since, started, progress)
            else:
                yield from self._listing(entity, cursor if cursor.get("phase") == "list" else {}, started, progress)
        yield self._general_ledger(started)

    def _general_ledger(self, started: datetime) -> Page:
        """The GeneralLedger report over the last QUICKBOOKS_GENERAL_LEDGER_MONTHS, for the postings of the
        transactions no entity we read carries; re-read whole each sync, so the window's set is complete."""
        end = started.date()
        start = end.replace(day=1) - timedelta(days=31 * settings.QUICKBOOKS_GENERAL_LEDGER_MONTHS)
        report = self._get("/reports/GeneralLedger", {
            "start_date": start.isoformat(), "end_date": end.isoformat(), "accounting_method": "Accrual",
            "columns": ",".join(mapping.GENERAL_LEDGER_COLUMNS)})
        lines = mapping.general_ledger_lines(report)
        moves = mapping.bank_transactions(lines, self.bank_accounts)
        window = {"date__gte": start, "date__lte": end}
        return Page(object_type="GeneralLedger", records=lines + moves, cursor={"through": end.isoformat()},
                    progress=1.0, complete_sets=(
                        ("ledgerline", {"entry_external_id__startswith": "GL:", **window},
                         frozenset(r.external_id for r in lines)),
                        ("banktransaction", {"external_id__startswith": "bank:GL:", **window},
                         frozenset(r.external_id for r in moves))))

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
            if row.get("AccountSubType") == "UndepositedFunds" and not self.undeposited:
                self.undeposited = str(row["Id"])
        banks = [r for r in rows if r.get("AccountType") in BANK_TYPES]
        self.bank_accounts = {str(r["Id"]) for r in banks}
        records = ([mapping.account_record(r) for r in rows] + [mapping.tax_account_record()]
                   + [mapping.bank_account_record(r) for r in banks])
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

    def _tombstones(self, entity: str, doc: dict[str, Any]) -> list[Record]:
        """A deleted party or invoice is a tombstone; a document's postings, settlements and bank movements
        go with its complete sets (`_line_sets`)."""
        model, external = {"Customer": ("customer", str(doc["Id"])), "Vendor": ("supplier", str(doc["Id"])),
                           "Invoice": ("invoice", f"inv:{doc['Id']}"), "CreditMemo": ("invoice", f"cm:{doc['Id']}"),
                           "Bill": ("invoice", f"bill:{doc['Id']}")}.get(entity, ("", ""))
        return [Record(model=model, external_id=external, deleted=True)] if external else []

    def _postings(self, entity: str, doc: dict[str, Any]) -> list[Record]:
        if doc.get("status") == "Deleted":
            return []
        return mapping.ledger_lines(entity, doc, receivable=self.receivable, payable=self.payable,
                                    undeposited=self.undeposited)

    def _line_sets(self, entity: str, docs: list[dict[str, Any]]):
        """Each document's postings, bank movements and settlements are re-read whole: those it no longer
        has (or all, once deleted) go."""
        if entity not in DOCUMENTS:
            return ()
        sets = []
        for doc in docs:
            entry = f"{entity}:{doc['Id']}"
            lines = self._postings(entity, doc)
            sets.append(("ledgerline", {"entry_external_id": entry}, frozenset(r.external_id for r in lines)))
            sets.append(("banktransaction", {"external_id__startswith": f"bank:{entry}:"},
                         frozenset(r.external_id for r in mapping.bank_transactions(lines, self.bank_accounts))))
            if entity in ("Payment", "BillPayment"):
                deleted = doc.get("status") == "Deleted"
                settled = [] if deleted else (mapping.payment_records(doc) if entity == "Payment"
                                              else mapping.bill_payment_records(doc))
                prefix = f"pay:{doc['Id']}:" if entity == "Payment" else f"billpay:{doc['Id']}:"
                sets.append(("payment", {"external_id__startswith": prefix}, frozenset(r.external_id for r in settled)))
        return tuple(sets)

    def _records(self, entity: str, docs: list[dict[str, Any]]) -> list[Record]:
        if entity == "Customer":
            return [mapping.customer_record(d) for d in docs]
        if entity == "Vendor":
            return [mapping.vendor_record(d) for d in docs]
        out: list[Record] = []
        paid_on = self._paid_dates(entity, docs) if entity in ("Invoice", "Bill") else {}
        for doc in docs:
            if entity in ("Invoice", "Bill"):
                out.append(mapping.invoice_record(doc, kind="customer" if entity == "Invoice" else "supplier",
                                                  paid_on=paid_on.get(str(doc["Id"]))))
            elif entity == "CreditMemo":
                out.append(mapping.credit_memo_record(doc))
            elif entity == "Payment":
                out += mapping.payment_records(doc)
            elif entity == "BillPayment":
                out += mapping.bill_payment_records(doc)
            lines = self._postings(entity, doc)
            out += lines + mapping.bank_transactions(lines, self.bank_accounts)
        return out

    def _paid_dates(self, entity: str, documents: list[dict[str, Any]]) -> dict[str, Any]:
        """The real paid date of each settled invoice or bill: the day of the last Payment (BillPayment)
        its `LinkedTxn` names, one query a page. A settled one whose payments cannot be read has none."""
        paying = "Payment" if entity == "Invoice" else "BillPayment"
        linked: dict[str, set[str]] = {}
        for doc in documents:
            if mapping.money(doc.get("Balance")) == 0:
                for txn in doc.get("LinkedTxn") or []:
                    if txn.get("TxnType") == paying:
                        linked.setdefault(str(txn["TxnId"]), set()).add(str(doc["Id"]))
        if not linked:
            return {}
        ids = ",".join(f"'{i}'" for i in sorted(linked))
        payments = self._query(f"SELECT * FROM {paying} WHERE Id IN ({ids}) MAXRESULTS {self.page_size}").get(paying) or []
        paid: dict[str, Any] = {}
        for payment in payments:
            day = mapping._date(payment.get("TxnDate"))
            for document in linked.get(str(payment["Id"]), ()):
                if day and (document not in paid or day > paid[document]):
                    paid[document] = day
        return paid
