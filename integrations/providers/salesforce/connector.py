"""Salesforce (REST API): accounts, contacts, leads and opportunities of one org, read with SOQL.

Each sync first reads the reference data whole: users (the owners), the opportunity stages (won,
closed and default probability: the stage metadata decides, never a stage's name) and, in a
multi-currency org, the currency rates. Then per object, oldest change first
(`ORDER BY SystemModstamp, Id`), paging with `nextRecordsUrl` (2,000 rows a batch):
- no cursor: a full listing through `query` (live rows only); when it completes, the rows it did not
  list are tombstoned (deleted, merged, or purged long ago);
- a cursor: `queryAll` for rows whose `SystemModstamp` moved since the cursor minus an overlap window
  (a transaction that committed late carries an earlier stamp), up to the sync's start; rows with
  `IsDeleted` (deleted, or merged into the survivor named by `MasterRecordId`) become tombstones, and
  `/sobjects/<type>/deleted/` adds those already emptied from the recycle bin.
A page's cursor is the last stamp it covered, so a killed sync resumes where it stopped.
A first listing of an object above SALESFORCE_BULK_THRESHOLD rows goes through a Bulk API 2.0 query job
instead (bulk.py); its cursor holds the job and the next results locator until the listing completes.

Every response tells the org's daily API usage (`Sforce-Limit-Info: api-usage=N/M`): a sync spends at
most SALESFORCE_API_SHARE of what was left when it started, then stops and is retried later, leaving
the org's other integrations their calls. `REQUEST_LIMIT_EXCEEDED` (daily total or concurrent long
requests) is temporary; a 401 `INVALID_SESSION_ID` refreshes the session once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.base import AccountInfo, Connector, ConnectorError, Cursor, Page, Record
from integrations.http import ProviderClient, ProviderError, transport_for
from integrations.oauth import access_token_is_due, oauth_token_refresh
from integrations.providers.salesforce import mapping
from integrations.providers.salesforce.bulk import BulkJobFailed, BulkQuery
from integrations.providers.salesforce.oauth import SalesforceOAuth
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.salesforce")

# Accounts first: contacts, leads and opportunities point to them.
OBJECTS: dict[str, tuple[str, ...]] = {"Account": ("crmcompany",), "Contact": ("contact",), "Lead": ("lead",),
                                       "Opportunity": ("deal",)}
AUDIT = ["SystemModstamp", "IsDeleted"]
FIELDS = {
    "Account": ["Id", "Name", "Website", "Industry", "CreatedDate", "MasterRecordId", *AUDIT],
    "Contact": ["Id", "FirstName", "LastName", "Email", "AccountId", "LeadSource", "CreatedDate", "MasterRecordId",
                *AUDIT],
    "Lead": ["Id", "FirstName", "LastName", "Email", "Company", "LeadSource", "CreatedDate", "IsConverted",
             "ConvertedDate", "ConvertedContactId", "ConvertedOpportunityId", "MasterRecordId", *AUDIT],
    "Opportunity": ["Id", "Name", "StageName", "Amount", "CloseDate", "IsWon", "IsClosed", "Probability", "OwnerId",
                    "AccountId", "LeadSource", "CreatedDate", *AUDIT],
}
DELETED_WINDOW = timedelta(days=30)  # what /sobjects/<type>/deleted/ still knows
USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class _UsageGuard(httpx.BaseTransport):
    """Reads Sforce-Limit-Info on every response and stops the sync (temporary error) once it spent its share
    of the daily calls that were left when it started."""

    def __init__(self, inner: httpx.BaseTransport, share: float):
        self.inner = inner
        self.share = share
        self.allowance: int | None = None
        self.used: int | None = None
        self.limit: int | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        match = USAGE.search(response.headers.get("sforce-limit-info", ""))
        if match:
            self.used, self.limit = int(match.group(1)), int(match.group(2))
            if self.allowance is None:
                self.allowance = self.used + int(self.share * max(0, self.limit - self.used))
            if self.used >= self.allowance and response.status_code < 400:
                response.read()
                response.close()
                raise ConnectorError(
                    _("This sync used its share of Salesforce's daily API calls (%(used)s of %(limit)s used today); "
                      "it resumes later.") % {"used": self.used, "limit": self.limit},
                    permanent=False, retry_after=settings.SALESFORCE_DAILY_LIMIT_RETRY_AFTER)
        return response

    def close(self) -> None:
        self.inner.close()


class SalesforceConnector(Connector):
    key = "salesforce"
    label = "Salesforce"
    source = "salesforce"
    auth = "oauth"
    token_form = False  # a session comes only from the OAuth flow (it names the instance URL)
    token_help = gettext_lazy("Salesforce is connected through OAuth: choose production or sandbox.")
    app = SalesforceOAuth()

    def __init__(self, connection, *, sleep: Callable[[float], None] | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__(connection)
        self.sleep = sleep
        self.now = now or (lambda: datetime.now(UTC))
        self._client: ProviderClient | None = None
        self.usage: _UsageGuard | None = None

    # ---- plumbing -------------------------------------------------------------------------------

    @property
    def org_id(self) -> str:
        return self.connection.provider_account_id or ""

    @property
    def budget_key(self) -> str:
        """One request budget per Salesforce org, shared by every worker and connection reaching it."""
        return f"salesforce:{self.org_id}" if self.org_id else self.connection.rate_limit_key

    @property
    def api(self) -> str:
        return f"/services/data/v{settings.SALESFORCE_API_VERSION}"

    def _token(self) -> str:
        creds = self.connection.credentials
        if not creds.get("access_token") or not creds.get("instance_url"):
            raise ConnectorError(_("No Salesforce session is stored: connect Salesforce again."), permanent=True)
        if creds.get("refresh_token") and access_token_is_due(self.app, creds):
            self._refresh(force=False)
        return self.connection.credentials["access_token"]

    def _refresh(self, *, force: bool) -> None:
        oauth_token_refresh(app=self.app, connection=self.connection, force=force)
        if self._client is not None:
            self._client.set_token(self.connection.credentials["access_token"])

    def _http(self) -> ProviderClient:
        token = self._token()
        instance = self.connection.credentials["instance_url"].rstrip("/")
        if self._client is None or self._client.base_url != instance:
            limit, window = settings.SALESFORCE_RATE_LIMIT
            self.usage = _UsageGuard(transport_for(instance) or httpx.HTTPTransport(), settings.SALESFORCE_API_SHARE)
            self._client = ProviderClient(base_url=instance, token=token, sleep=self.sleep, transport=self.usage,
                                          limiter=rate_limiter(key=self.budget_key, limit=limit, window=window,
                                                               sleep=self.sleep))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return self._request("GET", path, params=params).json()

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        for attempt in (1, 2):
            try:
                return self._http().request(method, path, **kwargs)
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1 and self.connection.credentials.get("refresh_token"):
                    self._refresh(force=True)  # the session ended before its expected time
                    continue
                raise self._explain(exc) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _explain(exc: ProviderError) -> ConnectorError:
        if exc.error == "REQUEST_LIMIT_EXCEEDED":
            daily = "TotalRequests" in str(exc)
            return ConnectorError(
                _("Salesforce's daily API limit for this org is spent; the sync resumes later.") if daily else
                _("Salesforce is running too many long requests for this org; the sync resumes shortly."),
                permanent=False, retry_after=settings.SALESFORCE_DAILY_LIMIT_RETRY_AFTER if daily else 60)
        if exc.status == 401:
            return ConnectorError(_("Salesforce refused the session (revoked or expired): connect Salesforce again."),
                                  permanent=True)
        if exc.status == 403:
            return ConnectorError(_("Salesforce refused access (%(code)s): the connected user needs the API Enabled "
                                    "permission and read access to accounts, contacts, leads and opportunities.")
                                  % {"code": exc.error or "403"}, permanent=True)
        return exc

    def _soql(self, statement: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """Every batch of a query, following nextRecordsUrl until `done`."""
        body = self._get(f"{self.api}/{'queryAll' if include_deleted else 'query'}", {"q": statement})
        while True:
            yield body
            if body.get("done", True) or not body.get("nextRecordsUrl"):
                return
            body = self._get(body["nextRecordsUrl"])

    def _all(self, statement: str) -> list[dict[str, Any]]:
        return [row for body in self._soql(statement) for row in body.get("records", [])]

    # ---- the interface --------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        rows = self._all("SELECT Id, Name, IsSandbox FROM Organization")
        if not rows:
            raise ConnectorError(_("Salesforce did not say which org was connected: connect Salesforce again."),
                                 permanent=True)
        return AccountInfo(account_id=str(rows[0]["Id"]), name=f"Salesforce — {rows[0].get('Name') or rows[0]['Id']}")

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = self.now().replace(microsecond=0)
        owners = {str(u["Id"]): u.get("Name") or u.get("Email") or "" for u in self._all("SELECT Id, Name, Email FROM User")}
        stages = mapping.Stages(self._all("SELECT ApiName, MasterLabel, IsActive, IsClosed, IsWon, DefaultProbability "
                                          "FROM OpportunityStage"))
        currencies = self._currencies()
        for index, sobject in enumerate(OBJECTS):
            cursor = dict(cursors.get(sobject) or {})
            if cursor.get("bulk_job"):  # a bulk listing a killed sync left midway
                yield from self._bulk_listing(sobject, cursor, started, index, stages, owners, currencies)
            elif cursor.get("since"):
                yield from self._changes(sobject, cursor, started, index, stages, owners, currencies)
            elif self._count(sobject) > settings.SALESFORCE_BULK_THRESHOLD:
                yield from self._bulk_listing(sobject, {}, started, index, stages, owners, currencies)
            else:
                yield from self._listing(sobject, started, index, stages, owners, currencies)

    # ---- reading --------------------------------------------------------------------------------

    def _currencies(self) -> mapping.Currencies:
        target = self.connection.organization.currency
        try:
            rates = self._all("SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true")
        except ProviderError as exc:
            if exc.error == "INVALID_TYPE":  # a single-currency org has no CurrencyType
                return mapping.Currencies(target=target)
            raise
        corporate = next((r["IsoCode"] for r in rates if r.get("IsCorporate")), target)
        try:
            dated = self._all("SELECT IsoCode, ConversionRate, StartDate, NextStartDate FROM DatedConversionRate")
        except ProviderError as exc:
            if exc.error != "INVALID_TYPE":
                raise
            dated = []
        return mapping.Currencies(target=target, corporate=corporate, rates=rates, dated=dated)

    def _fields(self, sobject: str, currencies: mapping.Currencies) -> str:
        fields = FIELDS[sobject] + (["CurrencyIsoCode"] if sobject == "Opportunity" and currencies.multi else [])
        return ", ".join(fields)

    def _records(self, sobject: str, rows: list[dict], stages, owners, currencies) -> list[Record]:
        models = OBJECTS[sobject]
        out: list[Record] = []
        for row in rows:
            if row.get("IsDeleted"):
                out += mapping.tombstones(models, row)
            elif sobject == "Account":
                out.append(mapping.map_account(row))
            elif sobject == "Contact":
                out.append(mapping.map_contact(row))
            elif sobject == "Lead":
                out.append(mapping.map_lead(row))
            else:
                out.append(mapping.map_opportunity(row, stages=stages, owners=owners, currencies=currencies))
        return out

    def _pages(self, sobject: str, statement: str, *, include_deleted: bool, started: datetime, index: int,
               since: str | None, stages, owners, currencies) -> Iterator[tuple[Page, bool]]:
        """(page, is_last) for each batch; each page's cursor is the last stamp it covered (never past the start)."""
        done = 0
        last = since
        for body in self._soql(statement, include_deleted=include_deleted):
            rows = body.get("records", [])
            done += len(rows)
            if rows and rows[-1].get("SystemModstamp"):
                stamp = mapping.parse_datetime(rows[-1]["SystemModstamp"])
                last = min(stamp, started).isoformat() if stamp else last
            total = body.get("totalSize") or 0
            progress = (index + 0.9 * min(1.0, done / total if total else 1.0)) / len(OBJECTS)
            is_last = bool(body.get("done", True))
            yield (Page(object_type=sobject, records=self._records(sobject, rows, stages, owners, currencies),
                        cursor={"since": last} if last else {}, progress=progress), is_last)

    def _listing(self, sobject, started, index, stages, owners, currencies) -> Iterator[Page]:
        statement = f"SELECT {self._fields(sobject, currencies)} FROM {sobject} ORDER BY SystemModstamp, Id"
        first = True
        for page, is_last in self._pages(sobject, statement, include_deleted=False, started=started, index=index,
                                         since=None, stages=stages, owners=owners, currencies=currencies):
            model = OBJECTS[sobject][0]
            cursor = {"since": started.isoformat(), "deleted_since": started.isoformat()} if is_last else page.cursor
            yield Page(object_type=sobject, records=page.records, cursor=cursor, progress=page.progress,
                       listing_starts=model if first else None, listing_complete=model if is_last else None)
            first = False

    def _count(self, sobject: str) -> int:
        return int(self._get(f"{self.api}/query", {"q": f"SELECT COUNT() FROM {sobject}"}).get("totalSize") or 0)

    def _bulk_listing(self, sobject, cursor, started, index, stages, owners, currencies) -> Iterator[Page]:
        """A first listing through one Bulk API 2.0 query job (bulk.py). The cursor holds the job, the locator of
        the next results page and the time the listing began (its rows are as of then), so a killed sync resumes at
        the first page it had not stored. A failed job forgets the job (the next run asks for a new one)."""
        model = OBJECTS[sobject][0]
        bulk = BulkQuery(api=self.api, request=self._request, sleep=self.sleep)
        as_of = cursor.get("as_of") or started.isoformat()
        job_id = cursor.get("bulk_job")
        if not job_id:
            job_id = bulk.create(f"SELECT {self._fields(sobject, currencies)} FROM {sobject}")
            # Stored at once: a sync killed while the job runs polls the same job again.
            yield Page(object_type=sobject, records=[], cursor={"bulk_job": job_id, "locator": "", "as_of": as_of},
                       progress=index / len(OBJECTS), listing_starts=model)
        try:
            bulk.wait(job_id)
        except BulkJobFailed:
            yield Page(object_type=sobject, records=[], cursor={}, progress=index / len(OBJECTS))
            raise
        locator = cursor.get("locator") or None
        pages = 0
        while True:
            result = bulk.results(job_id, locator)
            pages += 1
            locator = result.next_locator
            done = locator is None
            next_cursor = ({"since": as_of, "deleted_since": as_of} if done else
                           {"bulk_job": job_id, "locator": locator, "as_of": as_of})
            yield Page(object_type=sobject, records=self._records(sobject, result.rows, stages, owners, currencies),
                       cursor=next_cursor, progress=(index + (0.9 if done else 0.9 * pages / (pages + 1))) / len(OBJECTS),
                       listing_complete=model if done else None)
            if done:
                return

    def _changes(self, sobject, cursor, started, index, stages, owners, currencies) -> Iterator[Page]:
        since = datetime.fromisoformat(cursor["since"])
        window_start = since - timedelta(seconds=settings.SALESFORCE_MODSTAMP_OVERLAP_SECONDS)
        statement = (f"SELECT {self._fields(sobject, currencies)} FROM {sobject} "
                     f"WHERE SystemModstamp >= {mapping.soql_datetime(window_start)} "
                     f"AND SystemModstamp < {mapping.soql_datetime(started)} ORDER BY SystemModstamp, Id")
        deleted_since = cursor.get("deleted_since") or cursor["since"]
        for page, _is_last in self._pages(sobject, statement, include_deleted=True, started=started, index=index,
                                          since=cursor["since"], stages=stages, owners=owners, currencies=currencies):
            yield Page(object_type=sobject, records=page.records, progress=page.progress,
                       cursor={**page.cursor, "deleted_since": deleted_since})
        yield self._purged(sobject, datetime.fromisoformat(deleted_since), started, index)

    def _purged(self, sobject: str, since: datetime, started: datetime, index: int) -> Page:
        """Tombstones for rows deleted since the last look, even those already emptied from the recycle bin."""
        start = max(since - timedelta(seconds=settings.SALESFORCE_MODSTAMP_OVERLAP_SECONDS),
                    started - DELETED_WINDOW + timedelta(minutes=1))
        records: list[Record] = []
        if start < started:
            body = self._get(f"{self.api}/sobjects/{sobject}/deleted/",
                             {"start": mapping.soql_datetime(start), "end": mapping.soql_datetime(started)})
            records = [r for row in body.get("deletedRecords", []) for r in mapping.tombstones(OBJECTS[sobject], row)]
        return Page(object_type=sobject, records=records, progress=(index + 1) / len(OBJECTS),
                    cursor={"since": started.isoformat(), "deleted_since": started.isoformat()})
