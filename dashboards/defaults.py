"""Each role's default dashboard, drawn from its KPI pack in the catalogue (kpis/catalogue/role_packs.toml).

Role dashboards are layouts, not rows: a new KPI in a role's pack reaches every company's dashboard
without a migration, and nobody has to compose a dashboard before seeing their figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboards.models import Widget
from kpis.catalogue import role_pack

AGEING_SLUGS = ("late_0_30", "late_31_60", "late_61_90", "late_over_90")


@dataclass(frozen=True)
class WidgetSpec:
    """What a widget shows, whether stored (a team dashboard's `Widget`) or a role default."""

    kind: str
    kpi_slug: str = ""
    kpi_slugs: tuple[str, ...] = ()
    width: int = Widget.Width.QUARTER
    months: int = 12
    widget_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)


def role_layout(role: str) -> list[WidgetSpec]:
    """The role's default widgets: tiles of its pack, a trend, a breakdown, and the steering widgets."""
    pack = role_pack(role)
    # Every KPI of the pack is a candidate tile: the dashboard shows the first ones that have a value.
    specs = [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug=slug) for slug in pack.kpis]
    if pack.trend:
        specs.append(WidgetSpec(kind=Widget.Kind.TREND, kpi_slug=pack.trend, width=Widget.Width.HALF, months=24))
    if pack.breakdown:
        specs.append(WidgetSpec(kind=Widget.Kind.BREAKDOWN, kpi_slug=pack.breakdown, width=Widget.Width.HALF))
    if pack.ageing:
        specs.append(WidgetSpec(kind=Widget.Kind.AGEING, kpi_slugs=AGEING_SLUGS, width=Widget.Width.HALF))
    if pack.kpis:
        specs.append(WidgetSpec(kind=Widget.Kind.HEATMAP, kpi_slugs=pack.kpis, width=Widget.Width.FULL))
    specs.append(WidgetSpec(kind=Widget.Kind.OBJECTIVES, width=Widget.Width.HALF))
    specs.append(WidgetSpec(kind=Widget.Kind.ACTION_PLANS, width=Widget.Width.HALF))
    specs.append(WidgetSpec(kind=Widget.Kind.FRESHNESS, width=Widget.Width.HALF))
    return specs


def widget_spec(widget: Widget) -> WidgetSpec:
    """A stored widget as a spec (its KPI already joined)."""
    return WidgetSpec(kind=widget.kind, kpi_slug=widget.kpi.slug if widget.kpi_id else "",
                      kpi_slugs=tuple(widget.kpi_slugs), width=widget.width,
                      months=widget.months, widget_id=widget.pk)
