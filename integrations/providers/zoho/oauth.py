"""Zoho's OAuth app: every data centre has its own accounts server and API domain.

The consent screen is opened on the data centre the admin chose on the connect page; Zoho sends the
admin back with `location` and `accounts-server`, and the code is exchanged at that accounts server
(the token response names the `api_domain`). Both are checked against ZOHO_DATA_CENTRES — a callback
parameter naming any other host is refused, so the client secret and the tokens never go elsewhere —
and stored with the tokens: refreshes go back to the same accounts server, API calls to the same domain.
Access tokens last an hour; a refresh token mints at most ten access tokens per ten minutes, so
refreshes are serialised per connection (integrations/oauth.py) and happen only when one is due.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.base import AccountInfo, ConnectorError
from integrations.oauth import OAuthApp

REGION_LABELS = {"us": gettext_lazy("United States (zoho.com)"), "eu": gettext_lazy("Europe (zoho.eu)"),
                 "in": gettext_lazy("India (zoho.in)"), "au": gettext_lazy("Australia (zoho.com.au)"),
                 "jp": gettext_lazy("Japan (zoho.jp)"), "ca": gettext_lazy("Canada (zohocloud.ca)"),
                 "cn": gettext_lazy("China (zoho.com.cn)")}


def _norm(url: str) -> str:
    return (url or "").strip().rstrip("/").lower()


def region_of(*, accounts_server: str = "", api_domain: str = "") -> str:
    """The region whose accounts server (or API domain) this is; "" for a host that is not Zoho's."""
    for region, (accounts, api) in settings.ZOHO_DATA_CENTRES.items():
        if (accounts_server and _norm(accounts_server) == _norm(accounts)) or (
                api_domain and _norm(api_domain) == _norm(api)):
            return region
    return ""


class ZohoOAuth(OAuthApp):
    provider = "zoho"
    label = "Zoho CRM"
    settings_prefix = "ZOHO"
    token_endpoint_auth_method = "client_secret_post"
    callback_params = ("location", "accounts-server")
    default_expires_in = 3600

    def __init__(self, region: str = "") -> None:
        self.region = region if region in settings.ZOHO_DATA_CENTRES else settings.ZOHO_DEFAULT_REGION

    @property
    def regions(self):  # type: ignore[override]
        return tuple((region, REGION_LABELS.get(region, region)) for region in settings.ZOHO_DATA_CENTRES)

    @property
    def default_region(self) -> str:  # type: ignore[override]
        return settings.ZOHO_DEFAULT_REGION

    @property
    def accounts_server(self) -> str:
        return settings.ZOHO_DATA_CENTRES[self.region][0].rstrip("/")

    @property
    def api_domain(self) -> str:
        return settings.ZOHO_DATA_CENTRES[self.region][1].rstrip("/")

    def setting(self, name: str, default: Any = "") -> Any:
        if name == "AUTHORIZE_URL":
            return f"{self.accounts_server}/oauth/v2/auth"
        if name == "TOKEN_URL":
            return f"{self.accounts_server}/oauth/v2/token"
        return super().setting(name, default)

    def authorize_params(self) -> dict[str, str]:
        # offline: a refresh token; consent: a new one even if the user authorized us before
        return {"access_type": "offline", "prompt": "consent"}

    def bound(self, *, region: str = "", extras: dict[str, str] | None = None,
              credentials: dict[str, Any] | None = None) -> ZohoOAuth:
        if credentials:
            found = region_of(accounts_server=credentials.get("accounts_server", ""))
            if not found:
                raise ConnectorError(_("The stored Zoho data centre is unknown: connect Zoho CRM again."),
                                     permanent=True)
            return ZohoOAuth(found)
        if extras:
            server = extras.get("accounts-server", "")
            found = region_of(accounts_server=server) if server else ""
            if server and not found:
                raise ConnectorError(_("Zoho sent the sign-in back from an unknown data centre: connect Zoho "
                                       "CRM again."), permanent=True)
            location = (extras.get("location") or "").lower()
            return ZohoOAuth(found or (location if location in settings.ZOHO_DATA_CENTRES else ""))
        return ZohoOAuth(region)

    def _api_domain_of(self, tokens: dict[str, Any]) -> str:
        api_domain = _norm(tokens.get("api_domain") or self.api_domain)
        if region_of(api_domain=api_domain) != self.region:
            raise ConnectorError(_("Zoho named an API domain outside the account's data centre: connect Zoho CRM "
                                   "again."), permanent=True)
        return api_domain

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        from integrations.providers.zoho.connector import org_details

        org = org_details(api_domain=self._api_domain_of(tokens), access_token=tokens["access_token"])
        return AccountInfo(account_id=str(org.get("id") or ""),
                           name=f"Zoho CRM {org.get('company_name') or org.get('id') or ''}".strip())

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        return {"accounts_server": self.accounts_server, "api_domain": self._api_domain_of(tokens),
                "region": self.region}
