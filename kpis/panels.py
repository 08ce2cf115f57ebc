"""This app's panel on the organization's home page (see accounts/home_panels.py)."""

from accounts.models import Membership
from kpis.presenters import home_panel_for


def home_panel(membership: Membership) -> tuple[str, dict] | None:
    """KPI tiles for the member's role (CEO synthesis, CFO costs and cash, COO operations, CRO revenue)."""
    if membership.organization.is_consultancy:
        return None
    panel = home_panel_for(membership)
    if panel is None:
        return None
    return "kpis/partials/home_panel.html", panel
