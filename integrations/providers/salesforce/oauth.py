"""Salesforce's OAuth app on the shared OAuth base (`integrations/oauth.py`), web-server flow.

The admin picks the login host on the connect page: `login.salesforce.com` for a production org,
`test.salesforce.com` for a sandbox. The token response names the org's `instance_url` (where the
REST API lives) and its identity URL `id` (`…/id/<org id>/<user id>`: the org id is the account);
it has no `expires_in`: the session lasts the org's timeout (SALESFORCE_SESSION_SECONDS), and an
earlier 401 `INVALID_SESSION_ID` refreshes too. Refresh tokens are not rotated by default.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.base import AccountInfo, ConnectorError
from integrations.oauth import OAuthApp

LOGINS = ("production", "sandbox")


class SalesforceOAuth(OAuthApp):
    provider = "salesforce"
    label = "Salesforce"
    settings_prefix = "SALESFORCE"
    token_endpoint_auth_method = "client_secret_post"
    start_param = "login"
    start_choices = LOGINS

    @property
    def default_expires_in(self) -> int:  # type: ignore[override]
        return settings.SALESFORCE_SESSION_SECONDS

    def start_choice_label(self, choice: str) -> str:
        if choice == "sandbox":
            return _("Continue with a Salesforce sandbox (test.salesforce.com)")
        return _("Continue with Salesforce (login.salesforce.com)")

    def authorize_url(self, *, choice: str = "") -> str:
        host = settings.SALESFORCE_AUTHORIZE_HOSTS.get(choice or "production")
        return host.rstrip("/") + "/services/oauth2/authorize"

    def token_url(self, *, context: dict[str, Any] | None = None) -> str:
        context = context or {}
        login = context.get("login") or context.get("login_host") or "production"
        return settings.SALESFORCE_LOGIN_HOSTS.get(login, settings.SALESFORCE_LOGIN_HOSTS["production"]).rstrip("/") \
            + "/services/oauth2/token"

    def account_from(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> AccountInfo:
        parts = str(tokens.get("id") or "").rstrip("/").split("/")
        if len(parts) < 2 or not tokens.get("instance_url"):
            raise ConnectorError(_("Salesforce did not say which org was connected: connect Salesforce again."),
                                 permanent=True)
        org_id = parts[-2]
        sandbox = extras.get("login") == "sandbox"
        return AccountInfo(account_id=org_id, name=f"Salesforce {'sandbox ' if sandbox else ''}{org_id}")

    def credentials_extra(self, *, tokens: dict[str, Any], extras: dict[str, str]) -> dict[str, Any]:
        return {"login_host": extras.get("login") if extras.get("login") in LOGINS else "production"}

    def credentials(self, tokens: dict[str, Any], previous: dict[str, Any] | None = None,
                    extras: dict[str, str] | None = None) -> dict[str, Any]:
        stored = super().credentials(tokens, previous, extras)
        # Every token response names the instance; an org moved to another instance answers with the new one.
        stored["instance_url"] = (tokens.get("instance_url") or (previous or {}).get("instance_url") or "").rstrip("/")
        return stored
