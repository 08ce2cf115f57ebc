"""Pennylane firm API v1: a consultancy's one token reaching many client companies.

The firm connection (in the consultancy) only lists the companies it reaches; each company
mapped to a client becomes a child connection in that client, syncing through
`/companies/{id}/…` with the same behaviour as the company API, on the firm's shared budget.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from integrations.base import AccountInfo, ConnectorError
from integrations.providers.pennylane import PennylaneConnector


class PennylaneFirmConnector(PennylaneConnector):
    key = "pennylane_firm"
    label = _("Pennylane (accounting firm)")
    source = "pennylane"
    token_help = _("A firm API token from your Pennylane firm account; you then choose which of its "
                   "companies feeds which client.")
    is_firm = True
    base_url_setting = "PENNYLANE_FIRM_API_BASE_URL"
    rate_limit_setting = "PENNYLANE_FIRM_RATE_LIMIT"

    @property
    def prefix(self) -> str:
        if not self.connection.parent_id:
            raise ConnectorError(str(_("A firm connection syncs through its mapped companies.")), permanent=True)
        return f"/companies/{self.connection.provider_account_id}"

    def companies(self) -> list[dict]:
        """Every company the firm token reaches: [{"id", "name"}, …] (cursor-paginated since the 2026 API)."""
        found, params = [], {"limit": 100}
        while True:
            data = self.client.get("/companies", params=params)
            found += [{"id": str(c["id"]), "name": c.get("name", "")} for c in data.get("items", [])]
            if not data.get("has_more") or not data.get("next_cursor"):
                return found
            params = {"limit": 100, "cursor": data["next_cursor"]}

    def account_info(self) -> AccountInfo:
        try:
            companies = self.companies()
        except ConnectorError as exc:
            if getattr(exc, "status", None) == 401:
                raise ConnectorError(str(_("Pennylane refused the firm token.")), permanent=True) from None
            raise
        if self.connection.parent_id:
            match = [c for c in companies if c["id"] == self.connection.provider_account_id]
            if not match:
                raise ConnectorError(str(_("The firm token no longer reaches this company.")), permanent=True)
            return AccountInfo(account_id=match[0]["id"], name=match[0]["name"])
        return AccountInfo(account_id="", name=str(_("%(n)s companies")) % {"n": len(companies)})


__all__ = ["PennylaneFirmConnector", "settings"]
