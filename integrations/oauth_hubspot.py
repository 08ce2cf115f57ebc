"""HubSpot OAuth 2.0 (authorization code): the redirect to HubSpot, the callback, and token refresh.

The `state` parameter is signed and binds the organization, the user and a one-time nonce kept in
the user's session (CSRF): a callback for another user, another browser or a replayed state is
refused. The callback lives outside /o/<org_slug>/ (HubSpot only redirects to the exact URI
registered for the app), so it finds the organization in the state and answers 404 unless the
user may manage that organization's integrations.

Access tokens last about 30 minutes: `hubspot_token_refresh` renews them ahead of `expires_in`,
serialised per connection by a row lock, and stores the new pair encrypted before anyone uses it
(a refresh token that rotates must never be lost).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from redis.exceptions import LockError

from accounts import rls
from accounts.decorators import require_capability
from accounts.models import Membership, Organization
from integrations.base import ConnectorError
from integrations.http import ProviderClient, ProviderError
from integrations.models import Connection
from integrations.ratelimit import REDIS_UNREACHABLE, RedisUnavailable, rate_limiter, redis_client

logger = logging.getLogger("integrations.hubspot")

PROVIDER = "hubspot"
STATE_SALT = "integrations.hubspot.oauth"
STATE_MAX_AGE = 15 * 60
SESSION_NONCES = "hubspot_oauth_nonces"


def redirect_uri() -> str:
    """The callback URL registered in the HubSpot app (exact match), built from SITE_URL."""
    return settings.SITE_URL.rstrip("/") + reverse("hubspot_oauth_callback")


def _oauth_client() -> ProviderClient:
    limiter = rate_limiter(key="hubspot:oauth", limit=50, window=10)
    return ProviderClient(base_url=settings.HUBSPOT_API_BASE_URL, token="", limiter=limiter)


def _token_request(form: dict[str, str]) -> dict[str, Any]:
    """POST /oauth/v1/token (form-encoded); HubSpot's refusals become permanent ConnectorErrors."""
    client = _oauth_client()
    try:
        body = client.request("POST", "/oauth/v1/token", data={
            **form, "client_id": settings.HUBSPOT_CLIENT_ID, "client_secret": settings.HUBSPOT_CLIENT_SECRET,
        }, auth=False).json()
        if not body.get("hub_id"):
            info = client.request("GET", f"/oauth/v1/access-tokens/{body['access_token']}", auth=False).json()
            body["hub_id"] = info.get("hub_id")
        return body
    except ProviderError as exc:
        if exc.permanent:
            status = exc.error or str(exc.status)
            raise ConnectorError(_("HubSpot refused the authorization (%(status)s): connect HubSpot again.")
                                 % {"status": status}, permanent=True) from None
        raise
    finally:
        client.close()


def _credentials(tokens: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "auth": "oauth",
        "access_token": tokens["access_token"],
        # HubSpot may or may not send a new refresh token; always keep the latest one.
        "refresh_token": tokens.get("refresh_token") or (previous or {}).get("refresh_token", ""),
        "expires_at": time.time() + int(tokens.get("expires_in") or 1800),
        "scopes": tokens.get("scopes") or (previous or {}).get("scopes") or [],
    }


_local_refresh_locks: dict[int, threading.Lock] = {}
_local_refresh_guard = threading.Lock()


@contextmanager
def _refresh_lock(connection_id: int) -> Iterator[None]:
    """One refresh of a connection at a time across workers (Redis), or across threads (no Redis)."""
    url = settings.INTEGRATIONS_REDIS_URL
    if url:
        lock = redis_client(url).lock(f"pilotage:hubspot-refresh:{connection_id}", timeout=60, blocking_timeout=45)
        try:
            acquired = lock.acquire()
        except REDIS_UNREACHABLE:
            raise RedisUnavailable() from None
        if not acquired:
            raise ConnectorError(_("Another worker is renewing the HubSpot access; retrying shortly."),
                                 permanent=False, retry_after=30)
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # expired meanwhile: the row lock still serialised the write
                logger.warning("HubSpot refresh lock of connection %s expired before release", connection_id)
        return
    with _local_refresh_guard:
        lock = _local_refresh_locks.setdefault(connection_id, threading.Lock())
    with lock:
        yield


def hubspot_token_refresh(*, connection: Connection, force: bool = False) -> None:
    """Renew the connection's access token unless another worker just did; stores the pair first.

    Serialised per connection (a Redis lock shared by every worker, and the row lock): the second
    worker waits, re-reads the stored credentials and uses the token the first one saved instead of
    refreshing again.
    """
    if connection.pk is None:  # a probe during connect: nothing stored yet, nothing to share
        connection.credentials = _credentials(_token_request(
            {"grant_type": "refresh_token", "refresh_token": connection.credentials.get("refresh_token", "")}),
            connection.credentials)
        return
    seen_token = connection.credentials.get("access_token")
    with _refresh_lock(connection.pk), transaction.atomic():
        row = (Connection.objects.select_for_update()
               .filter(pk=connection.pk, organization=connection.organization).first())
        if row is None:
            raise ConnectorError(_("This connection no longer exists."), permanent=True)
        stored = row.credentials
        margin = settings.HUBSPOT_TOKEN_REFRESH_MARGIN_SECONDS
        still_fresh = float(stored.get("expires_at") or 0) - time.time() >= margin
        replaced = stored.get("access_token") != seen_token
        if (still_fresh and not force) or (force and replaced):
            connection.credentials = stored  # another worker refreshed meanwhile
            return
        if not stored.get("refresh_token"):
            raise ConnectorError(_("HubSpot access expired and no refresh token is stored: connect HubSpot again."),
                                 permanent=True)
        tokens = _token_request({"grant_type": "refresh_token", "refresh_token": stored["refresh_token"]})
        fresh = _credentials(tokens, stored)
        Connection.objects.filter(pk=row.pk).update(credentials=fresh)
    connection.credentials = fresh
    logger.info("HubSpot access token refreshed for connection %s", connection.pk)


def hubspot_oauth_complete(*, org: Organization, code: str, by: Membership) -> Connection:
    """Exchange the authorization code, then connect the hub (or renew the tokens of a connected one)."""
    from integrations.services import connection_connect, connection_update_token

    tokens = _token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri()})
    hub_id = str(tokens.get("hub_id") or "")
    credentials = _credentials(tokens)
    existing = (Connection.objects.for_org(org).filter(provider=PROVIDER, provider_account_id=hub_id)
                .exclude(status=Connection.Status.DISCONNECTED).first())
    if existing is not None:
        return connection_update_token(connection=existing, credentials=credentials, by=by)
    return connection_connect(org=org, provider=PROVIDER, credentials=credentials, by=by, account_id=hub_id,
                              label=f"HubSpot {hub_id}")


def hubspot_authorize_url(*, request: HttpRequest) -> str:
    """HubSpot's consent screen for this organization and user, with a signed one-time state."""
    nonce = secrets.token_urlsafe(16)
    nonces = [*request.session.get(SESSION_NONCES, [])[-4:], nonce]  # a few tabs may be in flight
    request.session[SESSION_NONCES] = nonces
    state = signing.dumps({"org": request.org.pk, "user": request.user.pk, "nonce": nonce}, salt=STATE_SALT)
    query = urlencode({"client_id": settings.HUBSPOT_CLIENT_ID, "redirect_uri": redirect_uri(),
                       "scope": settings.HUBSPOT_SCOPES, "state": state})
    return f"{settings.HUBSPOT_AUTHORIZE_URL}?{query}"


def _integrations_page(org: Organization) -> str:
    for name in ("integrations:connection_list", "integrations:index", "integrations:connections"):
        try:
            return reverse(name, kwargs={"org_slug": org.slug})
        except NoReverseMatch:
            continue
    return reverse("accounts:org_home", kwargs={"org_slug": org.slug})


# --- views --------------------------------------------------------------------------------------


@require_capability("integrations.manage")
def hubspot_oauth_start(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Send the admin to HubSpot's consent screen."""
    if not settings.HUBSPOT_CLIENT_ID:
        messages.error(request, _("HubSpot OAuth is not configured (HUBSPOT_CLIENT_ID); use a private-app token."))
        return HttpResponseRedirect(_integrations_page(request.org))
    return HttpResponseRedirect(hubspot_authorize_url(request=request))


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    """A state we cannot trust (forged, expired, replayed, another user's): 400, nothing exchanged."""
    return render(request, "integrations/hubspot_oauth_refused.html", {"reason": reason}, status=400)


@require_GET
@login_required
def hubspot_oauth_callback(request: HttpRequest) -> HttpResponse:
    """HubSpot sends the admin back here with `code` and our `state`."""
    try:
        state = signing.loads(request.GET.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        return _refused(request, _("This HubSpot authorization is invalid or has expired: start again from "
                                   "the Integrations page."))
    nonces = request.session.get(SESSION_NONCES, [])
    nonce = str(state.get("nonce", ""))
    if state.get("user") != request.user.pk or not any(constant_time_compare(nonce, n) for n in nonces):
        return _refused(request, _("This HubSpot authorization was started by someone else, or was already "
                                   "used: start again from the Integrations page."))
    request.session[SESSION_NONCES] = [n for n in nonces if n != nonce]  # one use only
    membership = (Membership.objects.filter(user=request.user, organization_id=state.get("org"))  # scoped: the user's own
                  .select_related("organization").first())
    if membership is None or not membership.can("integrations.manage"):
        raise Http404("No such organization.")
    org = membership.organization
    rls.request_org_set(org.pk)  # the signed state names the organization this page acts in
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("HubSpot did not authorize the connection (%(error)s).")
                       % {"error": request.GET.get("error_description") or request.GET.get("error") or _("no code")})
        return HttpResponseRedirect(_integrations_page(org))
    try:
        connection = hubspot_oauth_complete(org=org, code=request.GET["code"], by=membership)
    except (ConnectorError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return HttpResponseRedirect(_integrations_page(org))
    from integrations.models import SyncRun
    from integrations.services import sync_run_enqueue

    run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL, full=True)
    messages.success(request, _("HubSpot is connected; the first sync has started."))
    return HttpResponseRedirect(reverse("integrations:sync_run_detail",
                                        kwargs={"org_slug": org.slug, "sync_run_id": run.pk}))
