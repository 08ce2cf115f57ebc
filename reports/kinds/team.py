"""A team dashboard's digest: its KPI tiles and trends as figures, its trends drawn, under its own name.

The dashboard chooses the KPIs as a role's pack does for a role digest; each recipient is then cut by
`kpis.selectors.kpi_visibility_for` exactly the same way (reports.selectors.digest_for).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dashboards.models import Dashboard, Widget

KEY = "team"
FIGURE_WIDGETS = (Widget.Kind.KPI_TILE, Widget.Kind.TREND)


@dataclass(frozen=True)
class TeamDashboardKind:
    key: str
    title: str
    kpis: tuple[str, ...]
    charts: tuple[str, ...]
    max_figures: int = 12


def team_dashboard_kind(dashboard: Dashboard) -> TeamDashboardKind:
    """The dashboard's tiles and trends in its order (one query); each KPI once."""
    widgets = list(dashboard.widgets.filter(kind__in=FIGURE_WIDGETS, kpi__isnull=False).select_related("kpi")
                   .order_by("position", "id"))
    kpis = tuple(dict.fromkeys(w.kpi.slug for w in widgets))
    charts = tuple(dict.fromkeys(w.kpi.slug for w in widgets if w.kind == Widget.Kind.TREND))
    return TeamDashboardKind(key=KEY, title=_("%(name)s dashboard") % {"name": dashboard.name}, kpis=kpis,
                             charts=charts)
