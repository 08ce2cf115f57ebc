"""HubSpot CRM v3: companies, contacts (and the leads they are), deals with their pipeline stage,
owner and company. Private-app tokens and OAuth 2.0 (integrations/oauth_hubspot.py) both end in a
bearer token; OAuth tokens are refreshed ahead of expiry.

Incremental sync runs through the search API on each object's last-modified property
(`lastmodifieddate` for contacts, `hs_lastmodifieddate` for companies and deals), filtered with
epoch-ms strings between the stored cursor (inclusive) and the sync's start time (exclusive),
sorted ascending. A search stops at 10,000 results, so a new query starts from the last value
seen before paging reaches the cap; by default every page is such a query (keyset paging), so a
record edited mid-sync cannot shift another one out of view. A full read (no cursor) is
unbounded and reconciled: what it did not list is tombstoned (merged records). Archived records
never appear in search: they are read from `?archived=true` lists and tombstoned. Search has its
own rate limit (~4/s), kept in a second Redis bucket on top of the account's budget; a DAILY 429
stops the sync until later instead of being retried in vain.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
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
from integrations.providers.hubspot.mapping import (
    LAST_MODIFIED,
    Stages,
    map_company,
    map_contact,
    map_deal,
    parse_datetime,
    to_epoch_ms,
)
from integrations.ratelimit import rate_limiter

logger = logging.getLogger("integrations.hubspot")

OBJECT_TYPES = ("companies", "contacts", "deals")  # companies first: contacts and deals point to them
PROPERTIES = {
    "companies": ["name", "domain", "industry", "createdate", "hs_lastmodifieddate"],
    "contacts": ["email", "firstname", "lastname", "lifecyclestage", "hs_analytics_source", "createdate",
                 "lastmodifieddate", "associatedcompanyid", "hs_lifecyclestage_customer_date"],
    "deals": ["dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "createdate",
              "hubspot_owner_id", "hs_analytics_source", "hs_lastmodifieddate"],
}
MODELS = {"companies": ["crmcompany"], "contacts": ["contact", "lead"], "deals": ["deal"]}
LIST_PAGE_SIZE = 100  # lists accept 1..100
ASSOCIATION_BATCH = 1000
NOT_IN_MAX = 100  # values one search filter may list


# --- the connector ------------------------------------------------------------------------------


class _DailyLimitGuard(httpx.BaseTransport):
    """A 429 whose policy is DAILY will not clear in seconds: stop the sync at once (temporary error)
    instead of letting the client back off and retry in vain; the run is retried later."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code == 429:
            response.read()
            try:
                policy = (response.json() or {}).get("policyName")
            except ValueError:
                policy = None
            if policy == "DAILY":
                response.close()
                raise ConnectorError(_("HubSpot's daily API limit for this account is spent; the sync resumes "
                                       "later."), permanent=False, retry_after=settings.HUBSPOT_DAILY_LIMIT_RETRY_AFTER)
        return response

    def close(self) -> None:
        self.inner.close()


class _BothBudgets:
    """A search request spends from the search bucket and from the account's general bucket."""

    def __init__(self, *limiters):
        self.limiters = limiters

    def acquire(self) -> None:
        for limiter in self.limiters:
            limiter.acquire()

    def settle(self) -> None:
        for limiter in self.limiters:
            limiter.settle()


def _permanent_message(exc: ProviderError) -> str:
    if exc.status == 401:
        return _("HubSpot refused the token (revoked, expired or mistyped): reconnect HubSpot.")
    if exc.status == 403:
        scopes = ", ".join(_missing_scopes(exc)) or _("the read scopes")
        return _("HubSpot refused access: grant %(scopes)s to the app, then reconnect.") % {"scopes": scopes}
    return str(exc)


# What each object type is called and what is lost when the token may not read it.
TYPE_WORDS = {
    "companies": (gettext_lazy("Companies"), gettext_lazy("segments by company will not show")),
    "contacts": (gettext_lazy("Contacts"), gettext_lazy("leads and conversion will not show")),
    "deals": (gettext_lazy("Deals"), gettext_lazy("pipeline, win rate and bookings will not show")),
}


def _missing_scopes(exc: ProviderError) -> list[str]:
    """The scopes a 403 says are missing (HubSpot lists them in each error's context)."""
    missing = []
    for error in exc.details or []:
        context = (error or {}).get("context") or {}
        missing += context.get("requiredGranularScopes") or context.get("requiredScopes") or []
    return missing


def _refusal(type_: str, exc: ProviderError) -> str:
    label, consequence = TYPE_WORDS[type_]
    scopes = _missing_scopes(exc)
    return ReaderMessage("%(label)s: this token lacks the %(scope)s scope — %(consequence)s.", label=label,
                         scope=", ".join(scopes) or f"crm.objects.{type_}.read", consequence=consequence)


class HubSpotConnector(Connector):
    key = "hubspot"
    label = "HubSpot"
    source = "hubspot"
    auth = "oauth"
    prefetch = True  # an OAuth refresh stores the new tokens on the sync's thread (oauth_token_refresh)
    token_help = gettext_lazy("In HubSpot, Settings → Integrations → Private apps: create an app with the CRM "
                              "read scopes (companies, contacts, deals, owners) and paste its access token.")

    def __init__(self, connection, *, sleep: Callable[[float], None] | None = None) -> None:
        super().__init__(connection)
        self.sleep = sleep
        self._client: ProviderClient | None = None
        self._search: ProviderClient | None = None
        self._reading: str | None = None  # the object type being read: a 403 there skips only that type

    # ---- clients and tokens --------------------------------------------------------------------

    @property
    def budget_key(self) -> str:
        """HubSpot's budget is per account (hub_id), shared by every app and worker using it."""
        account = self.connection.provider_account_id
        return f"hubspot:{account}" if account else self.connection.rate_limit_key

    def _credentials(self) -> dict:
        return self.connection.secret_credentials or {}

    def _is_oauth(self) -> bool:
        return bool(self._credentials().get("refresh_token"))

    def _access_token(self) -> str:
        creds = self._credentials()
        if self._is_oauth():
            expires_at = float(creds.get("expires_at") or 0)
            if expires_at - time.time() < settings.HUBSPOT_TOKEN_REFRESH_MARGIN_SECONDS:
                self._refresh()
                creds = self._credentials()
            return creds.get("access_token") or ""
        token = (creds.get("token") or creds.get("access_token") or "").strip()
        if not token:
            raise ConnectorError(_("No HubSpot token is stored: connect HubSpot again."), permanent=True)
        return token

    def _refresh(self, *, force: bool = False) -> None:
        from integrations.oauth_hubspot import hubspot_token_refresh

        hubspot_token_refresh(connection=self.connection, force=force)
        for client in (self._client, self._search):
            if client is not None:
                client.set_token(self._credentials().get("access_token") or "")

    def _clients(self) -> tuple[ProviderClient, ProviderClient]:
        token = self._access_token()  # refreshes first when an OAuth token is about to expire
        if self._client is None:
            limit, window = settings.HUBSPOT_RATE_LIMIT
            general = rate_limiter(key=self.budget_key, limit=limit, window=window, sleep=self.sleep)
            s_limit, s_window = settings.HUBSPOT_SEARCH_RATE_LIMIT
            search = rate_limiter(key=f"{self.budget_key}:search", limit=s_limit, window=s_window, sleep=self.sleep)
            base = settings.HUBSPOT_API_BASE_URL
            self._client = ProviderClient(base_url=base, token=token, limiter=general, sleep=self.sleep,
                                          transport=self._transport(base))
            self._search = ProviderClient(base_url=base, token=token, limiter=_BothBudgets(search, general),
                                          sleep=self.sleep, transport=self._transport(base))
        return self._client, self._search

    @staticmethod
    def _transport(base_url: str) -> httpx.BaseTransport:
        return _DailyLimitGuard(transport_for(base_url) or httpx.HTTPTransport())

    def close(self) -> None:
        for client in (self._client, self._search):
            if client is not None:
                client.close()
        self._client = self._search = None

    def _call(self, method: str, path: str, *, params: Any = None, json: Any = None, search: bool = False) -> dict:
        """One request; an expired OAuth token is refreshed once, HubSpot's refusals become clear messages."""
        for attempt in (1, 2):
            general, searcher = self._clients()
            client = searcher if search else general
            try:
                response = client.request(method, path, params=params, json=json)
                return response.json()
            except ProviderError as exc:
                if exc.status == 401 and attempt == 1 and self._is_oauth():
                    self._refresh(force=True)
                    continue
                if exc.status == 403 and self._reading:
                    raise ResourceRefused(_refusal(self._reading, exc), object_type=self._reading) from None
                if exc.permanent and exc.status in (401, 403):
                    raise ConnectorError(_permanent_message(exc), permanent=True) from None
                raise
        raise AssertionError("unreachable")

    # ---- the interface -------------------------------------------------------------------------

    def check_credentials(self) -> None:
        self.account_info()

    def account_info(self) -> AccountInfo:
        body = self._call("GET", "/account-info/v3/details")
        hub_id = str(body.get("portalId") or "")
        # A token that cannot read the CRM is refused now rather than at the first sync.
        self._call("GET", "/crm/v3/owners", params={"limit": 1})
        return AccountInfo(account_id=hub_id, name=f"HubSpot {hub_id}" if hub_id else "HubSpot")

    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        started = timezone.now()
        end_ms = to_epoch_ms(started) - settings.HUBSPOT_SEARCH_INDEX_LAG_SECONDS * 1000
        refused: dict[str, str] = {}
        try:
            self._reading = "deals"  # the pipelines are the deals' stages
            stages = Stages(self._call("GET", "/crm/v3/pipelines/deals").get("results", []))
        except ResourceRefused as exc:
            stages, refused["deals"] = Stages([]), exc.message
        finally:
            self._reading = None
        owners = self._owners()
        for index, type_ in enumerate(OBJECT_TYPES):
            cursor = dict(cursors.get(type_) or {})
            if type_ in refused:
                yield skipped_page(type_, refused[type_], cursor)
                continue
            self._reading = type_
            try:
                yield from self._changed(type_, cursor, end_ms, stages, owners, index)
                yield from self._archived(type_, cursor, end_ms, index)
            except ResourceRefused as exc:
                yield skipped_page(type_, exc.message, cursor)
            finally:
                self._reading = None

    # ---- reading -------------------------------------------------------------------------------

    def _owners(self) -> dict[str, str]:
        owners: dict[str, str] = {}
        for archived in ("false", "true"):  # deals keep pointing to reps who left
            after = None
            while True:
                params = {"limit": 100, "archived": archived, **({"after": after} if after else {})}
                body = self._call("GET", "/crm/v3/owners", params=params)
                for owner in body.get("results", []):
                    name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p)
                    owners.setdefault(str(owner["id"]), name or owner.get("email") or "")
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
        return owners

    def _search_body(self, type_: str, groups: list[list[dict]], sort: str, after: int) -> dict:
        body = {"filterGroups": [{"filters": filters} for filters in groups],
                "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
                "properties": PROPERTIES[type_], "limit": settings.HUBSPOT_SEARCH_PAGE_SIZE}
        if after:
            body["after"] = str(after)
        return body

    @staticmethod
    def _window_groups(prop: str, last: int, seen_at_last: set[str], end_ms: int, full: bool) -> list[list[dict]] | None:
        """Filter groups for a query that starts from `last`: later values, or `last` itself minus the
        records already read there. None when too many share `last` to list them (walk it by id)."""
        upper = [] if full else [{"propertyName": prop, "operator": "LT", "value": str(end_ms)}]
        if not seen_at_last:
            return [[{"propertyName": prop, "operator": "GTE", "value": str(last)}, *upper]]
        if len(seen_at_last) > NOT_IN_MAX:
            return None
        return [
            [{"propertyName": prop, "operator": "GT", "value": str(last)}, *upper],
            [{"propertyName": prop, "operator": "EQ", "value": str(last)},
             {"propertyName": "hs_object_id", "operator": "NOT_IN", "values": sorted(seen_at_last)}],
        ]

    def _changed(self, type_: str, cursor: Cursor, end_ms: int, stages: Stages, owners: dict[str, str],
                 index: int) -> Iterator[Page]:
        """Everything modified since the cursor (inclusive), ascending; a new query from the last value
        seen whenever the window is used up (by default one page: keyset paging; at most HubSpot's
        10,000-result cap, past which paging is a 400).

        Incremental reads stop at the sync's start (`end_ms`). A full read (no cursor) has no upper
        bound, so a record edited while the scan runs is met again further on: the listing is
        complete, and the service tombstones what it lacked (merged or deleted records).
        """
        prop = LAST_MODIFIED[type_]
        limit = settings.HUBSPOT_SEARCH_PAGE_SIZE
        window = min(settings.HUBSPOT_SEARCH_WINDOW or limit, settings.HUBSPOT_SEARCH_RESULT_CAP)
        full = "since" not in cursor
        last = int(cursor.get("since") or 0)
        seen_at_last: set[str] = set()  # ids already read whose last-modified equals `last`
        total = None
        done = 0
        if full:
            for model in MODELS[type_]:
                yield Page(object_type=type_, records=[], cursor=dict(cursor), listing_starts=model)
        finished = False
        while not finished:
            groups = self._window_groups(prop, last, seen_at_last, end_ms, full)
            if groups is None:
                # More records share one timestamp than a filter can list (an import): walk them by id.
                yield from self._same_instant(type_, cursor, last, end_ms, stages, owners, index, seen_at_last)
                last, seen_at_last = last + 1, set()
                continue
            offset = 0
            while True:
                body = self._call("POST", f"/crm/v3/objects/{type_}/search",
                                  json=self._search_body(type_, groups, prop, offset), search=True)
                if total is None:
                    total = body.get("total") or 0
                results = [r for r in body.get("results", []) if str(r["id"]) not in seen_at_last]
                for result in results:
                    value = self._modified_ms(result, prop)
                    if value > last:
                        last, seen_at_last = value, set()
                    seen_at_last.add(str(result["id"]))
                done += len(results)
                page_cursor = {**cursor, "since": min(last, end_ms)}  # never past the sync's start
                yield self._page(type_, results, page_cursor, stages, owners, index, done, total)
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    finished = True
                    break
                offset = int(after)
                if offset + limit > window:
                    break  # the window is used up (never past the cap): a new query from `last`
        cursor["since"] = end_ms
        progress = (index + 0.9) / len(OBJECT_TYPES)
        if full:
            for model in MODELS[type_]:
                yield Page(object_type=type_, records=[], cursor=dict(cursor), progress=progress,
                           listing_complete=model)
        else:
            yield Page(object_type=type_, records=[], cursor=dict(cursor), progress=progress)

    def _same_instant(self, type_, cursor, instant, end_ms, stages, owners, index, seen) -> Iterator[Page]:
        """Every record modified at `instant`, by ascending id (ties come back in no stated order)."""
        prop = LAST_MODIFIED[type_]
        last_id = 0
        while True:
            filters = [{"propertyName": prop, "operator": "EQ", "value": str(instant)},
                       {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_id)}]
            body = self._call("POST", f"/crm/v3/objects/{type_}/search",
                              json=self._search_body(type_, [filters], "hs_object_id", 0), search=True)
            results = body.get("results", [])
            if not results:
                return
            last_id = max(int(r["id"]) for r in results)
            fresh = [r for r in results if str(r["id"]) not in seen]
            yield self._page(type_, fresh, {**cursor, "since": min(instant, end_ms)}, stages, owners, index,
                             None, None)
            if not (body.get("paging") or {}).get("next"):
                return

    @staticmethod
    def _modified_ms(result: dict, prop: str) -> int:
        parsed = parse_datetime((result.get("properties") or {}).get(prop)) or parse_datetime(result.get("updatedAt"))
        return to_epoch_ms(parsed) if parsed else 0

    def _page(self, type_, results, cursor, stages, owners, index, done, total) -> Page:
        records: list[Record] = []
        if type_ == "companies":
            records = [map_company(r) for r in results]
        elif type_ == "contacts":
            mapped = [map_contact(r) for r in results]
            records = [pair[0] for pair in mapped] + [pair[1] for pair in mapped]  # contacts before their leads
        else:
            companies = self._deal_companies([str(r["id"]) for r in results])
            records = [map_deal(r, stages=stages, owners=owners, company_id=companies.get(str(r["id"])))
                       for r in results]
        progress = None
        if total:
            progress = (index + 0.9 * min(1.0, (done or 0) / total)) / len(OBJECT_TYPES)
        return Page(object_type=type_, records=records, cursor=cursor, progress=progress)

    def _deal_companies(self, deal_ids: list[str]) -> dict[str, str]:
        """deal id → its primary company id, by v4 batch read (search does not return associations)."""
        found: dict[str, str] = {}
        for start in range(0, len(deal_ids), ASSOCIATION_BATCH):
            chunk = deal_ids[start:start + ASSOCIATION_BATCH]
            if not chunk:
                continue
            body = self._call("POST", "/crm/v4/associations/deals/companies/batch/read",
                              json={"inputs": [{"id": i} for i in chunk]})
            for result in body.get("results", []):
                targets = result.get("to") or []
                primary = next((t for t in targets if any(a.get("typeId") == 5 for a in t.get("associationTypes", []))),
                               targets[0] if targets else None)
                if primary is not None:
                    found[str(result["from"]["id"])] = str(primary["toObjectId"])
        return found

    def _archived(self, type_: str, cursor: Cursor, end_ms: int, index: int) -> Iterator[Page]:
        """Tombstones for records archived since the last look (first sync: nothing stored, nothing to do)."""
        archived_since = cursor.get("archived_since")
        if archived_since is None:
            cursor["archived_since"] = end_ms
            yield Page(object_type=type_, records=[], cursor=dict(cursor), progress=(index + 1) / len(OBJECT_TYPES))
            return
        after = None
        models = MODELS[type_]
        while True:
            params = {"archived": "true", "limit": LIST_PAGE_SIZE, "properties": LAST_MODIFIED[type_],
                      **({"after": after} if after else {})}
            body = self._call("GET", f"/crm/v3/objects/{type_}", params=params)
            records = []
            for result in body.get("results", []):
                archived_at = parse_datetime(result.get("archivedAt")) or parse_datetime(result.get("updatedAt"))
                if archived_at is not None and to_epoch_ms(archived_at) < int(archived_since):
                    continue  # tombstoned by an earlier sync
                for model in models:
                    records.append(Record(model=model, external_id=str(result["id"]), deleted=True,
                                          source_updated_at=archived_at))
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                cursor["archived_since"] = end_ms
                yield Page(object_type=type_, records=records, cursor=dict(cursor),
                           progress=(index + 1) / len(OBJECT_TYPES))
                return
            yield Page(object_type=type_, records=records, cursor=dict(cursor))
