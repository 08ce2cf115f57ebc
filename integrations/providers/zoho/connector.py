"""Zoho CRM API v8: accounts, contacts, leads and deals of one Zoho organization, on its data centre.

Every list names its `fields` (Zoho requires them), reads 200 records a page sorted by id, with `page`
up to the first 2,000 records and `page_token` (from `info.next_page_token`) past them. A first read
lists everything and is reconciled (what it did not list is tombstoned: merged or deleted records);
later reads send `If-Modified-Since` (the previous read's start minus a minute: the header is to the
second) and get 304 when nothing changed. Sorting by id keeps a record edited during a read in its
place, and an edit made after the read started is read next time. Deletions come from
`/{module}/deleted?type=all` since the last look. The stage's `forecast_type` in the pipeline settings
says won or lost; owners come from /users (also inactive ones); amounts are converted to the org's home
currency with the deal's Exchange_Rate. Zoho counts API credits per day: when the credits Zoho reports
fall under ZOHO_CREDIT_RESERVE, or Zoho says they are spent, the sync stops and resumes later from its
cursor; TOO_MANY_REQUESTS (the edition's concurrency) is waited out with back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from integrations.http import ProviderClient, ProviderError, transport_for
from integrations.messages import ReaderMessage
from integrations.oauth import access_token_is_due, oauth_token_refresh
from integrations.providers.zoho.mapping import (
    Stages,
    map_account,
    map_contact,
    map_deal,
    map_lead,
    parse_datetime,
)
from integrations.providers.zoho.oauth import ZohoOAuth, region_of
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.zoho")

API_VERSION = "v8"
MODULES = ("Accounts", "Contacts", "Leads", "Deals")  # accounts first: the others point to them
FIELDS = {
    "Accounts": ["Account_Name", "Website", "Industry", "Created_Time", "Modified_Time"],
    "Contacts": ["First_Name", "Last_Name", "Email", "Account_Name", "Lead_Source", "Created_Time", "Modified_Time"],
    "Leads": ["First_Name", "Last_Name", "Email", "Company", "Lead_Source", "Lead_Status", "Converted_Date_Time",
              "Created_Time", "Modified_Time"],
    "Deals": ["Deal_Name", "Stage", "Pipeline", "Amount", "Currency", "Exchange_Rate", "Closing_Date", "Probability",
              "Owner", "Account_Name", "Lead_Source", "Created_Time", "Modified_Time"],
}
MODELS = {"Accounts": "crmcompany", "Contacts": "contact", "Leads": "lead", "Deals": "deal"}
PAGE_NUMBER_LIMIT = 2000  # records reachable with `page`; past them only `page_token`
CREDITS_SPENT = {"LIMIT_REACHED", "LIMIT_EXCEEDED"}  # the org's daily API credits are used up
REFUSED = {"OAUTH_SCOPE_MISMATCH", "NO_PERMISSION", "INVALID_MODULE"}
MODULE_WORDS = {
    "Accounts": (gettext_lazy("Accounts"), gettext_lazy("segments by company will not show")),
    "Contacts": (gettext_lazy("Contacts"), gettext_lazy("contacts will not show")),
    "Leads": (gettext_lazy("Leads"), gettext_lazy("leads and conversion will not show")),
    "Deals": (gettext_lazy("Deals"), gettext_lazy("pipeline, win rate and bookings will not show")),
}


def _iso(moment: datetime) -> str:
    """If-Modified-Since as Zoho reads it: ISO 8601 to the second, with its offset."""
    return moment.astimezone(timezone.get_fixed_timezone(0)).replace(microsecond=0).isoformat()


class _CreditGuard(httpx.BaseTransport):
    """Spent credits will not come back in seconds: stop the sync at once (temporary, retried later)
    instead of letting the client back off in vain; likewise when the credits left fall under the reserve."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code in (400, 403, 429):
            response.read()
            try:
                code = (response.json() or {}).get("code")
            except ValueError:
                code = None
            if code in CREDITS_SPENT:
                response.close()
                raise ConnectorError(_("Zoho CRM's daily API credits for this account are spent; the sync resumes "
                                       "later."), permanent=False, retry_after=settings.ZOHO_CREDITS_RETRY_AFTER)
        remaining = response.headers.get("x-ratelimit-remaining")
        if response.status_code < 300 and remaining and remaining.isdigit() \
                and int(remaining) < settings.ZOHO_CREDIT_RESERVE:
            response.read()
            response.close()
            raise ConnectorError(_("Zoho CRM's API credits for today are nearly spent (%(left)s left, kept for the "
                                   "account's other tools); the sync resumes later.") % {"left": remaining},
                                 permanent=False, retry_after=settings.ZOHO_CREDITS_RETRY_AFTER)
        return response

    def close(self) -> None:
        self.inner.close()


def _json(response: httpx.Response) -> dict:
    """204 (nothing to list) and 304 (nothing modified since) have no body."""
    if response.status_code in (204, 304) or not response.content:
        return {}
    return response.json()


def org_details(*, api_domain: str, access_token: str) -> dict:
    """GET /org: the Zoho organization the token reaches (its id, name and home currency)."""
    client = ProviderClient(base_url=f"{api_domain}/crm/{API_VERSION}", token=access_token, auth_scheme="Zoho-oauthtoken",
                            limiter=rate_limiter(key="zoho:oauth", limit=50, window=10))
    try:
        orgs = _json(client.request("GET", "/org")).get("org") or [{}]
    except ProviderError as exc:
        raise ConnectorError(_("Zoho CRM did not say which organization was connected (%(status)s): connect Zoho "
                               "CRM again.") % {"status": exc.status}, permanent=True) from None
    finally:
        client.close()
    return orgs[0]


class ZohoConnector(Connector):
    key = "zoho"
    label = "Zoho CRM"
    source = "zoho"
    auth = "oauth"
    token_form = False  # connected through OAuth only: the data centre comes with the tokens

    def __init__(self, connection, *, sleep: Callable[[float], None] | None = None) -> None:
        super().__init__(connection)
        self.sleep = sleep
        self._client: ProviderClient | None = None
        self._reading: str | None = None

    # ---- plumbing -------------------------------------------------------------------------------

    @property
    def app(self) -> ZohoOAuth:
        return ZohoOAuth().bound(credentials=self._credentials())

    def _credentials(self) -> dict:
        return self.connection.secret_credentials or {}

    @property
    def api_base(self) -> str:
        api_domain = self._credentials().get("api_domain", "")
        if not region_of(api_domain=api_domain):
            raise ConnectorError(_("The stored Zoho data centre is unknown: connect Zoho CRM again."), permanent=True)
        return f"{api_domain.rstrip('/')}/crm/{API_VERSION}"

    @property
    def budget_key(self) -> str:
        account = self.connection.provider_account_id
        return f"zoho:{account}" if account else self.connection.rate_limit_key

    def _token(self) -> str:
        creds = self._credentials()
        if not creds.get("access_token"):
            raise ConnectorError(_("No Zoho CRM access is stored: connect Zoho CRM again."), permanent=True)
        if access_token_is_due(self.app, creds):
            self._refresh()
        return self._credentials()["access_token"]

    def _refresh(self, *, force: bool = False) -> None:
        oauth_token_refresh(app=self.app, connection=self.connection, force=force)
        if self._client is not None:
            self._client.set_token(self._credentials()["access_token"])

    def _http(self) -> ProviderClient:
        token = self._token()
        if self._client is None:
            limit, window = settings.ZOHO_RATE_LIMIT
            base = self.api_base
            self._client = ProviderClient(
                base_url=base, token=token, auth_scheme="Zoho-oauthtoken", sleep=self.sleep,
                limiter=rate_limiter(key=self.budget_key, limit=limit, window=window, sleep=self.sleep),
                transport=_CreditGuard(transport_for(base) or httpx.HTTPTransport()))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None

    def _get(self, path: str, params: dict | None = None, headers: dict | None = None) -> dict:
        for attempt in (1, 2):
            client = self._http()
            try:
                return _json(client.request("GET", path, params=params, headers=headers))
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1:  # INVALID_TOKEN before its hour: refresh once
                    self._refresh(force=True)
                    continue
                if self._reading and (exc.status == 403 or exc.error in REFUSED):
                    raise ResourceRefused(self._refusal(self._reading, exc), object_type=self._reading) from None
                if exc.status == 401:
                    raise ConnectorError(_("Zoho CRM refused the access (%(code)s): connect Zoho CRM again.")
                                         % {"code": exc.error or exc.status}, permanent=True) from None
                if exc.status == 403:
                    raise ConnectorError(_("Zoho CRM refused access (%(code)s): the connected user needs read access "
                                           "to the CRM modules and settings.") % {"code": exc.error or exc.status},
                                         permanent=True) from None
                raise
        raise AssertionError("unreachable")

    def _notifications_renew(self) -> None:
        """Subscribe (or renew) this connection's notification channel when due; a refusal never stops the sync."""
        from integrations.providers.zoho.webhooks import (
            watch_body,
            zoho_notifications_due,
            zoho_notifications_renewed,
        )

        if not zoho_notifications_due(self.connection):
            return
        try:
            self._http().request("POST", "/actions/watch", json=watch_body(self.connection, modules=MODULES))
        except ProviderError as exc:
            logger.warning("Zoho watch refused for connection %s: %s", self.connection.pk, exc.error or exc.status)
            return
        zoho_notifications_renewed(self.connection)

    @staticmethod
    def _refusal(module: str, exc: ProviderError) -> ReaderMessage:
        label, consequence = MODULE_WORDS[module]
        return ReaderMessage("%(label)s: Zoho CRM refused them (%(code)s) — %(consequence)s.", label=label,
                             code=exc.error or exc.status, consequence=consequence)

    # ---- the interface --------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        org = (self._get("/org").get("org") or [{}])[0]
        return AccountInfo(account_id=str(org.get("id") or ""), name=f"Zoho CRM {org.get('company_name') or ''}".strip())

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = timezone.now()
        self._notifications_renew()
        home = ((self._get("/org").get("org") or [{}])[0].get("iso_code") or "EUR")[:3]
        refused: dict[str, ReaderMessage] = {}
        try:
            self._reading = "Deals"
            stages = self._stages()
        except ResourceRefused as exc:
            stages, refused["Deals"] = Stages([]), exc.message
        finally:
            self._reading = None
        owners = self._owners() if "Deals" not in refused else {}
        for index, module in enumerate(MODULES):
            cursor = dict(cursors.get(module) or {})
            if module in refused:
                yield skipped_page(module, refused[module], cursor)
                continue
            self._reading = module
            try:
                yield from self._listing(module, cursor, started, index, stages, owners, home)
                yield from self._deleted(module, cursor, started, index)
            except ResourceRefused as exc:
                yield skipped_page(module, exc.message, cursor)
            finally:
                self._reading = None

    # ---- reading --------------------------------------------------------------------------------

    def _stages(self) -> Stages:
        """Every Deals layout's pipelines and their stages (forecast_type says won or lost)."""
        pipelines: list[dict] = []
        for layout in self._get("/settings/layouts", {"module": "Deals"}).get("layouts") or []:
            pipelines += self._get("/settings/pipeline", {"layout_id": layout["id"]}).get("pipeline") or []
        return Stages(pipelines)

    def _owners(self) -> dict[str, str]:
        """user id → full name, active or not (deals keep pointing to reps who left)."""
        owners: dict[str, str] = {}
        page = 1
        while True:
            body = self._get("/users", {"type": "AllUsers", "page": page, "per_page": settings.ZOHO_PAGE_SIZE})
            for user in body.get("users") or []:
                owners[str(user["id"])] = user.get("full_name") or user.get("email") or ""
            if not (body.get("info") or {}).get("more_records"):
                return owners
            page += 1

    def _records(self, module: str, rows: list[dict], stages: Stages, owners: dict[str, str], home: str) -> list[Record]:
        if module == "Accounts":
            return [map_account(r) for r in rows]
        if module == "Contacts":
            return [map_contact(r) for r in rows]
        if module == "Leads":
            return [map_lead(r) for r in rows]
        return [map_deal(r, stages=stages, owners=owners, home_currency=home) for r in rows]

    def _listing(self, module: str, cursor: Cursor, started: datetime, index: int, stages: Stages,
                 owners: dict[str, str], home: str) -> Iterator[Page]:
        """Everything (no `since`) or what changed since `since`, resumed where a killed run stopped."""
        since = cursor.get("since")
        resume = cursor.pop("listing", None) or {}
        page, token = int(resume.get("page") or 1), resume.get("page_token")
        read_started = resume.get("started") or started.isoformat()
        full = since is None
        first = page == 1 and not token
        model = MODELS[module]
        span = 1 / len(MODULES)
        while True:
            params: dict[str, Any] = {"fields": ",".join(FIELDS[module]), "per_page": settings.ZOHO_PAGE_SIZE,
                                      "sort_by": "id", "sort_order": "asc"}
            if module == "Leads":
                params["converted"] = "both"  # converted leads are hidden unless asked for
            if token:
                params["page_token"] = token
            else:
                params["page"] = page
            headers = {"If-Modified-Since": since} if since else None
            body = self._get(f"/{module}", params, headers)
            rows = body.get("data") or []
            info = body.get("info") or {}
            more = bool(info.get("more_records"))
            records = self._records(module, rows, stages, owners, home)
            if more:
                if token or page * settings.ZOHO_PAGE_SIZE >= PAGE_NUMBER_LIMIT:
                    token = info.get("next_page_token")
                    if not token:
                        raise ConnectorError(_("Zoho CRM gave no page token past the first 2,000 records."),
                                             permanent=False)
                page += 1
                page_cursor = {**cursor, "listing": {"page": page, "page_token": token, "started": read_started}}
                yield Page(object_type=module, records=records, cursor=page_cursor,
                           progress=(index + 0.8 * min(1.0, page * 200 / max(1, info.get("count") or 2000))) * span,
                           listing_starts=model if full and first else None)
                first = False
                continue
            # The next read starts a minute before this one did (If-Modified-Since is to the second).
            cursor["since"] = _iso(datetime.fromisoformat(read_started)
                                   - timedelta(seconds=settings.ZOHO_INCREMENTAL_OVERLAP_SECONDS))
            yield Page(object_type=module, records=records, cursor=dict(cursor), progress=(index + 0.8) * span,
                       listing_starts=model if full and first else None,
                       listing_complete=model if full else None)
            return

    def _deleted(self, module: str, cursor: Cursor, started: datetime, index: int) -> Iterator[Page]:
        """Tombstones for records deleted since the last look (a first, full read reconciles instead)."""
        deleted_since = cursor.get("deleted_since")
        now = _iso(started - timedelta(seconds=settings.ZOHO_INCREMENTAL_OVERLAP_SECONDS))
        if deleted_since is None:
            cursor["deleted_since"] = now
            yield Page(object_type=module, records=[], cursor=dict(cursor), progress=(index + 1) / len(MODULES))
            return
        page = 1
        while True:
            body = self._get(f"/{module}/deleted", {"type": "all", "page": page, "per_page": settings.ZOHO_PAGE_SIZE},
                             {"If-Modified-Since": deleted_since})
            records = [Record(model=MODELS[module], external_id=str(row["id"]), deleted=True,
                              source_updated_at=parse_datetime(row.get("deleted_time")))
                       for row in body.get("data") or []]
            if not (body.get("info") or {}).get("more_records"):
                cursor["deleted_since"] = now
                yield Page(object_type=module, records=records, cursor=dict(cursor),
                           progress=(index + 1) / len(MODULES))
                return
            yield Page(object_type=module, records=records, cursor=dict(cursor))
            page += 1
