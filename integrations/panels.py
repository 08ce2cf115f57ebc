"""This app's panel on the organization's home page (see accounts/home_panels.py)."""

from __future__ import annotations

from accounts.models import Membership
from integrations.selectors import connections_for


def home_panel(membership: Membership) -> tuple[str, dict] | None:
    """Data freshness at a glance for those who may see integrations: each connection's state and last sync."""
    if not membership.can("integrations.view"):
        return None
    connections = [c for c in connections_for(membership.organization) if c.status != "disconnected"]
    return "integrations/partials/home_panel.html", {"connections": connections}
