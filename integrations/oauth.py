"""OAuth 2.0 (authorization code) for every provider that speaks it, on Authlib.

One `OAuthApp` subclass per provider says what differs: its settings (authorize URL, token URL,
client id and secret, scopes), how the client authenticates at the token endpoint, which extra
parameters the callback carries (QuickBooks' `realmId`), and which provider account the tokens reach
(HubSpot's hub, a QuickBooks company, a Xero tenant). Everything else is shared:

- the `state` is signed and binds the organization, the user and a one-time nonce kept in the user's
  session: a callback for another user, another browser or a replayed state is refused (400);
- the callback lives outside /o/<org_slug>/ (providers redirect to one registered URI), finds the
  organization in the state and answers 404 unless the user may manage its integrations;
- access tokens are refreshed ahead of expiry, one refresh per connection at a time (a Redis lock
  shared by the workers, then the row lock), and the new pair (refresh tokens rotate at QuickBooks
  and Xero, and the old one dies) is stored encrypted before anyone uses it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from redis.exceptions import LockError

from accounts.models import Membership, Organization
from integrations.base import AccountInfo, ConnectorError
from integrations.http import transport_for
from integrations.models import Connection
from integrations.prefetch import on_sync_thread
from integrations.ratelimit import REDIS_UNREACHABLE, RedisUnavailable, rate_limiter, redis_client

logger = logging.getLogger("integrations.oauth")

STATE_MAX_AGE = 15 * 60


class OAuthApp:
    """What one provider's OAuth differs in; settings are read as `<SETTINGS_PREFIX>_<NAME>`."""

    provider: ClassVar[str]  # the Connection.provider it connects
    label: ClassVar[str]
    settings_prefix: ClassVar[str]  # "HUBSPOT": HUBSPOT_AUTHORIZE_URL, _TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET, _SCOPES
    # "client_secret_post" (id and secret in the form) or "client_secret_basic" (HTTP Basic).
    token_endpoint_auth_method: ClassVar[str] = "client_secret_post"
    callback_params: ClassVar[tuple[str, ...]] = ()  # provider parameters the callback carries (realmId)
    default_expires_in: ClassVar[int] = 3600  # when the token response omits expires_in
    refresh_margin: ClassVar[int] = 300  # refresh this many seconds before the access token expires
    # A choice the admin makes on the connect page before the consent (Salesforce: production or sandbox
    # login), sent as this query parameter of the start URL, kept in the signed state and handed back
    # to the callback's hooks as `extras[start_param]`.
    start_param: ClassVar[str] = ""
    start_choices: ClassVar[tuple[str, ...]] = ()
    # (value, label) of the data centres the connect page offers before the consent screen (Zoho); () = none
    regions: ClassVar[tuple[tuple[str, Any], ...]] = ()
    default_region: ClassVar[str] = ""

    def setting(self, name: str, default: Any = "") -> Any:
        return getattr(settings, f"{self.settings_prefix}_{name}", default)

    @property
    def state_salt(self) -> str:
        return f"integrations.{self.provider}.oauth"

    @property
    def session_nonces(self) -> str:
        return f"{self.provider}_oauth_nonces"

    def redirect_uri(self) -> str:
        """The callback URL registered at the provider (exact match), built from SITE_URL."""
        return settings.SITE_URL.rstrip("/") + reverse(f"{self.provider}_oauth_callback")

    def start_choice_label(self, choice: str) -> str:
        """The connect page's button for one of `start_choices`."""
        return choice

    def authorize_url(self, *, choice: str = "") -> str:
        """The consent screen's URL (a provider with several login hosts picks one from `choice`)."""
        return self.setting("AUTHORIZE_URL")

    def token_url(self, *, context: dict[str, Any] | None = None) -> str:
        """The token endpoint; `context` is the callback's extras or the stored credentials."""
        return self.setting("TOKEN_URL")

    def bound(self, *, region: str = "", extras: dict[str, str] | None = None,
              credentials: dict[str, Any] | None = None) -> OAuthApp:
        """The app as one account sees it: a provider with data centres (Zoho) answers from the account's
        own servers, named by the region chosen on the connect page, the callback or the stored credentials."""
        return self

    def authorize_params(self) -> dict[str, str]:
        """Extra query parameters of the consent URL (a provider may need a prompt or an audience)."""
        return {}

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        """The provider account these tokens reach (raises ConnectorError when it cannot tell)."""
        raise NotImplementedError

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        """Anything else worth keeping with the tokens (never shown back)."""
        return {}

    # --- the token endpoint ---------------------------------------------------------------------

    def _client(self, token_url: str | None = None) -> OAuth2Client:
        token_url = token_url or self.token_url()
        client = OAuth2Client(client_id=self.setting("CLIENT_ID"), client_secret=self.setting("CLIENT_SECRET"),
                            token_endpoint_auth_method=self.token_endpoint_auth_method,
                            transport=transport_for(token_url),
                            timeout=httpx.Timeout(settings.INTEGRATIONS_HTTP_TIMEOUT,
                                                  connect=settings.INTEGRATIONS_HTTP_CONNECT_TIMEOUT))
        # Authlib reads only RFC 6749 `error` bodies; some providers answer a 4xx in their own shape.
        client.register_compliance_hook("access_token_response", _raise_for_status)
        client.register_compliance_hook("refresh_token_response", _raise_for_status)
        return client

    def token_request(self, grant: str, value: str, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
        """Exchange a code (`authorization_code`) or a refresh token; refusals are permanent errors."""
        rate_limiter(key=f"{self.provider}:oauth", limit=50, window=10).acquire()
        url = self.token_url(context=context)
        client = self._client(url)
        try:
            if grant == "authorization_code":
                token = client.fetch_token(url, grant_type="authorization_code", code=value,
                                           redirect_uri=self.redirect_uri())
            else:
                token = client.refresh_token(url, refresh_token=value)
            return dict(token)
        except (OAuthError, _TokenRefused) as exc:
            raise ConnectorError(_("%(provider)s refused the authorization (%(status)s): connect %(provider)s again.")
                                 % {"provider": self.label, "status": exc.error}, permanent=True) from None
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            retry = exc.response.headers.get("retry-after")
            if status == 429 or status >= 500:
                raise ConnectorError(_("%(provider)s's authorization server is unavailable (%(status)s); retrying later.")
                                     % {"provider": self.label, "status": status}, permanent=False,
                                     retry_after=float(retry) if retry and retry.isdigit() else None) from None
            raise ConnectorError(_("%(provider)s refused the authorization (%(status)s): connect %(provider)s again.")
                                 % {"provider": self.label, "status": status}, permanent=True) from None
        except httpx.TransportError as exc:
            raise ConnectorError(_("%(provider)s could not be reached (%(error)s).")
                                 % {"provider": self.label, "error": type(exc).__name__}, permanent=False) from None
        finally:
            client.close()

    def credentials(self, tokens: dict[str, Any], previous: dict[str, Any] | None = None,
                    extras: dict[str, str] | None = None) -> dict[str, Any]:
        previous = previous or {}
        scope = tokens.get("scope") or tokens.get("scopes") or previous.get("scopes") or []
        return {
            **{k: v for k, v in previous.items() if k not in ("access_token", "refresh_token", "expires_at")},
            "auth": "oauth",
            "access_token": tokens["access_token"],
            # A provider that rotates sends a new refresh token; one that does not keeps the old one.
            "refresh_token": tokens.get("refresh_token") or previous.get("refresh_token", ""),
            "expires_at": time.time() + int(tokens.get("expires_in") or self.default_expires_in),
            "scopes": scope.split() if isinstance(scope, str) else list(scope),
            **(self.credentials_extra(tokens=tokens, extras=extras or {}) if extras is not None else {}),
        }


class _TokenRefused(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


def _raise_for_status(response: httpx.Response) -> httpx.Response:
    """A 4xx from the token endpoint (429 aside) is a refusal, whatever its body's shape; 429/5xx are raised
    as HTTP errors (temporary)."""
    status = response.status_code
    if status == 429 or status >= 500:
        response.raise_for_status()
    if status >= 400:
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") or body.get("status") or body.get("Type") if isinstance(body, dict) else None
        raise _TokenRefused(str(error or status))
    return response


def oauth_app(provider: str) -> OAuthApp:
    """The OAuth app of a provider key (KeyError when the provider has no OAuth)."""
    from integrations.registry import OAUTH_APPS

    return import_string(OAUTH_APPS[provider])()


# --- consent and callback -------------------------------------------------------------------------


def oauth_authorize_url(*, app: OAuthApp, request: HttpRequest) -> str:
    """The provider's consent screen for this organization and user, with a signed one-time state."""
    nonce = secrets.token_urlsafe(16)
    request.session[app.session_nonces] = [*request.session.get(app.session_nonces, [])[-4:], nonce]  # a few tabs
    choice = request.GET.get(app.start_param, "") if app.start_param else ""
    if choice not in app.start_choices:
        choice = app.start_choices[0] if app.start_choices else ""
    state = signing.dumps({"org": request.org.pk, "user": request.user.pk, "nonce": nonce,
                           **({"choice": choice} if choice else {})}, salt=app.state_salt)
    client = app._client()
    try:
        url, _state = client.create_authorization_url(app.authorize_url(choice=choice), state=state,
                                                      redirect_uri=app.redirect_uri(), scope=app.setting("SCOPES"),
                                                      **app.authorize_params())
    finally:
        client.close()
    return url


class StateRefused(Exception):
    """A state we cannot trust (forged, expired, replayed, another user's): nothing is exchanged."""


def oauth_state_check(*, app: OAuthApp, request: HttpRequest) -> Membership:
    """The membership the signed state names, once, for the user and session that started it.

    StateRefused for a bad state; `Membership.DoesNotExist` when the user may not manage the
    organization's integrations (the view answers 404, as for an organization that does not exist)."""
    try:
        state = signing.loads(request.GET.get("state", ""), salt=app.state_salt, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise StateRefused(_("This %(provider)s authorization is invalid or has expired: start again from the "
                             "Integrations page.") % {"provider": app.label}) from None
    nonces = request.session.get(app.session_nonces, [])
    nonce = str(state.get("nonce", ""))
    if state.get("user") != request.user.pk or not any(constant_time_compare(nonce, n) for n in nonces):
        raise StateRefused(_("This %(provider)s authorization was started by someone else, or was already used: "
                             "start again from the Integrations page.") % {"provider": app.label})
    request.session[app.session_nonces] = [n for n in nonces if n != nonce]  # one use only
    membership = (Membership.objects.filter(user=request.user, organization_id=state.get("org"))  # scoped: the user's own
                  .select_related("organization").first())
    if membership is None or not membership.can("integrations.manage"):
        raise Membership.DoesNotExist
    if app.start_param:  # the connect page's choice travels in the signed state, not in the provider's query
        request.oauth_start_choice = str(state.get("choice") or "")
    return membership


class ChooseAccount(Exception):
    """The tokens reach several provider accounts (a Sage user's businesses, Xero tenants): the admin picks
    one on the choice page; the tokens wait, encrypted, in the admin's session (`oauth_pending_*`)."""

    def __init__(self, accounts: list[AccountInfo]):
        super().__init__(f"{len(accounts)} accounts")
        self.accounts = accounts
        self.tokens: dict[str, Any] = {}
        self.extras: dict[str, str] = {}


PENDING_MAX_AGE = 10 * 60


def oauth_complete(*, app: OAuthApp, org: Organization, code: str, extras: dict[str, str],
                   by: Membership) -> Connection:
    """Exchange the code, then connect the account (or renew the tokens of the one already connected).
    ChooseAccount (carrying the tokens) when they reach several accounts."""
    app = app.bound(extras=extras)
    tokens = app.token_request("authorization_code", code, context=extras)
    try:
        account = app.account_from(tokens=tokens, extras=extras)
    except ChooseAccount as choice:
        choice.tokens, choice.extras = tokens, extras
        raise
    return oauth_connect(app=app, org=org, tokens=tokens, extras=extras, account=account, by=by)


def oauth_pending_store(*, app: OAuthApp, request: HttpRequest, org: Organization, choice: ChooseAccount) -> None:
    """Keep the tokens (encrypted) and the accounts to choose from in the admin's session, for a while."""
    from integrations.crypto import encrypt_json

    request.session[f"{app.provider}_oauth_pending"] = {
        "org": org.pk, "user": request.user.pk, "at": time.time(),
        "sealed": encrypt_json({"tokens": choice.tokens, "extras": choice.extras}),
        "accounts": [[a.account_id, a.name] for a in choice.accounts]}


def oauth_pending(*, app: OAuthApp, request: HttpRequest) -> dict[str, Any] | None:
    """The pending choice of this organization and user, unless it is too old."""
    pending = request.session.get(f"{app.provider}_oauth_pending")
    if (not pending or pending.get("org") != request.org.pk or pending.get("user") != request.user.pk
            or float(pending.get("at") or 0) < time.time() - PENDING_MAX_AGE):
        return None
    return pending


def oauth_pending_connect(*, app: OAuthApp, request: HttpRequest, pending: dict[str, Any], account_id: str,
                          by: Membership) -> Connection:
    """Connect the account the admin chose among the pending ones (once: the pending choice is dropped)."""
    from integrations.crypto import decrypt_json

    names = dict(pending["accounts"])
    opened = decrypt_json(pending["sealed"])
    request.session.pop(f"{app.provider}_oauth_pending", None)
    return oauth_connect(app=app, org=request.org, tokens=opened["tokens"], extras=opened["extras"],
                         account=AccountInfo(account_id=account_id, name=names[account_id]), by=by)


def oauth_connect(*, app: OAuthApp, org: Organization, tokens: dict[str, Any], extras: dict[str, str],
                  account: AccountInfo, by: Membership) -> Connection:
    from integrations.services import connection_connect, connection_update_token

    credentials = app.credentials(tokens, extras=extras)
    existing = (Connection.objects.for_org(org).filter(provider=app.provider, provider_account_id=account.account_id)
                .exclude(status=Connection.Status.DISCONNECTED).first())
    if existing is not None:
        return connection_update_token(connection=existing, credentials=credentials, by=by)
    return connection_connect(org=org, provider=app.provider, credentials=credentials, by=by,
                              account_id=account.account_id, label=account.name or f"{app.label} {account.account_id}")


# --- refresh, serialised per connection -----------------------------------------------------------

_local_refresh_locks: dict[int, threading.Lock] = {}
_local_refresh_guard = threading.Lock()


@contextmanager
def _refresh_lock(app: OAuthApp, connection_id: int) -> Iterator[None]:
    """One refresh of a connection at a time across workers (Redis), or across threads (no Redis)."""
    url = settings.INTEGRATIONS_REDIS_URL
    if url:
        lock = redis_client(url).lock(f"pilotage:oauth-refresh:{connection_id}", timeout=60, blocking_timeout=45)
        try:
            acquired = lock.acquire()
        except REDIS_UNREACHABLE:
            raise RedisUnavailable() from None
        if not acquired:
            raise ConnectorError(_("Another worker is renewing the %(provider)s access; retrying shortly.")
                                 % {"provider": app.label}, permanent=False, retry_after=30)
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # expired meanwhile: the row lock still serialised the write
                logger.warning("OAuth refresh lock of connection %s expired before release", connection_id)
        return
    with _local_refresh_guard:
        lock = _local_refresh_locks.setdefault(connection_id, threading.Lock())
    with lock:
        yield


def access_token_is_due(app: OAuthApp, credentials: dict[str, Any]) -> bool:
    return float(credentials.get("expires_at") or 0) - time.time() < app.refresh_margin


def oauth_access_token(*, app: OAuthApp, connection: Connection, client: Any = None) -> str:
    """The connection's access token, refreshed first when it is due; a `ProviderClient` already open
    (`client`) is handed the new one."""
    if not connection.credentials.get("access_token"):
        raise ConnectorError(_("No %(provider)s access is stored: connect %(provider)s again.")
                             % {"provider": app.label}, permanent=True)
    if access_token_is_due(app, connection.credentials):
        oauth_token_refresh(app=app, connection=connection)
        if client is not None:
            client.set_token(connection.credentials["access_token"])
    return connection.credentials["access_token"]


def oauth_token_refresh(*, app: OAuthApp, connection: Connection, force: bool = False) -> None:
    """Renew the connection's access token (see `_token_refresh`), on the sync's thread when called while
    a page is prefetched: the new pair is stored in the database, which the prefetch worker never touches."""
    on_sync_thread(lambda: _token_refresh(app=app, connection=connection, force=force))


def _token_refresh(*, app: OAuthApp, connection: Connection, force: bool = False) -> None:
    """Renew the connection's access token unless another worker just did; stores the pair first.

    The second worker waits on the lock, re-reads the stored credentials and uses the token the first
    one saved instead of refreshing again (with a rotating refresh token, a second refresh would fail).
    `force`: the provider answered 401 to a token we believed valid.
    """
    if connection.pk is None:  # a probe during connect: nothing stored yet, nothing to share
        app = app.bound(credentials=connection.credentials)
        connection.credentials = app.credentials(
            app.token_request("refresh_token", connection.credentials.get("refresh_token", ""),
                              context=connection.credentials), connection.credentials)
        return
    seen_token = connection.credentials.get("access_token")
    with _refresh_lock(app, connection.pk), transaction.atomic():
        row = (Connection.objects.select_for_update()
               .filter(pk=connection.pk, organization=connection.organization).first())
        if row is None:
            raise ConnectorError(_("This connection no longer exists."), permanent=True)
        stored = row.credentials
        replaced = stored.get("access_token") != seen_token
        if (not access_token_is_due(app, stored) and not force) or (force and replaced):
            connection.credentials = stored  # another worker refreshed meanwhile
            return
        if not stored.get("refresh_token"):
            raise ConnectorError(_("%(provider)s access expired and no refresh token is stored: connect %(provider)s "
                                   "again.") % {"provider": app.label}, permanent=True)
        app = app.bound(credentials=stored)
        fresh = app.credentials(app.token_request("refresh_token", stored["refresh_token"], context=stored), stored)
        Connection.objects.filter(pk=row.pk).update(credentials=fresh)
    connection.credentials = fresh
    logger.info("%s access token refreshed for connection %s", app.label, connection.pk)
