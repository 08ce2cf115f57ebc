from __future__ import annotations

from accounts.capabilities import Role
from dashboards.models import Dashboard, Widget


def make_dashboard(org, *, name: str | None = None, team: str = "", owner=None, roles: list[str] | None = None,
                   period: str = "month") -> Dashboard:
    name = name or f"Team {Dashboard.objects.for_org(org).count() + 1}"
    shared = f",{','.join(roles)}," if roles else ""
    return Dashboard.objects.create(organization=org, name=name, team=team, owner=owner, period=period,
                                    shared_with_roles=shared)


def make_widget(dashboard: Dashboard, *, kind: str = Widget.Kind.FRESHNESS, kpi=None, width: int = 1,
                position: int | None = None) -> Widget:
    if position is None:
        position = Widget.objects.for_org(dashboard.organization).filter(dashboard=dashboard).count()
    return Widget.objects.create(organization=dashboard.organization, dashboard=dashboard, kind=kind, kpi=kpi,
                                 width=width, position=position)


def _widget_id(org) -> int:
    """A widget of the organization's latest dashboard, so that a URL naming both finds them together."""
    dashboard = Dashboard.objects.for_org(org).order_by("-id").first() or make_dashboard(org, roles=Role.values)
    return make_widget(dashboard).pk
