"""HubSpot's OAuth app on the shared OAuth base (`integrations/oauth.py`).

HubSpot authenticates the client with the id and secret in the token form, and its token response
may omit `hub_id`: then the access-token information endpoint names the hub. Access tokens last
about 30 minutes and are refreshed 5 minutes ahead (`HUBSPOT_TOKEN_REFRESH_MARGIN_SECONDS`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.base import AccountInfo, ConnectorError
from integrations.http import ProviderClient, ProviderError
from integrations.models import Connection
from integrations.oauth import OAuthApp, oauth_token_refresh
from integrations.ratelimit import rate_limiter


class HubSpotOAuth(OAuthApp):
    provider = "hubspot"
    label = "HubSpot"
    settings_prefix = "HUBSPOT"
    token_endpoint_auth_method = "client_secret_post"
    default_expires_in = 1800

    @property
    def refresh_margin(self) -> int:  # type: ignore[override]
        return settings.HUBSPOT_TOKEN_REFRESH_MARGIN_SECONDS

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        hub_id = tokens.get("hub_id")
        if not hub_id:
            client = ProviderClient(base_url=settings.HUBSPOT_API_BASE_URL, token="",
                                    limiter=rate_limiter(key="hubspot:oauth", limit=50, window=10))
            try:
                hub_id = client.request("GET", f"/oauth/v1/access-tokens/{tokens['access_token']}",
                                        auth=False).json().get("hub_id")
            except ProviderError:
                raise ConnectorError(_("HubSpot did not say which account was connected: connect HubSpot again."),
                                     permanent=True) from None
            finally:
                client.close()
        return AccountInfo(account_id=str(hub_id or ""), name=f"HubSpot {hub_id}")


APP = HubSpotOAuth()
STATE_SALT = APP.state_salt
SESSION_NONCES = APP.session_nonces


def redirect_uri() -> str:
    return APP.redirect_uri()


def hubspot_token_refresh(*, connection: Connection, force: bool = False) -> None:
    """Renew a HubSpot connection's access token (serialised per connection, stored before use)."""
    oauth_token_refresh(app=APP, connection=connection, force=force)
