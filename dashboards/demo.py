"""The demo's dashboards: every role lands on its own (role layouts need no rows), and Maison Lumen's CEO
composes a Logistics team dashboard owned by the operations director (the COO) and shared with the
logistics team (the COO, the CXO and the team member who reads the dashboards)."""

from __future__ import annotations

from accounts.capabilities import Role
from accounts.demo import DemoContext
from dashboards import services
from dashboards.models import Widget
from kpis.models import Kpi

LOGISTICS_WIDGETS = [
    (Widget.Kind.KPI_TILE, "order_processing_mean", Widget.Width.QUARTER),
    (Widget.Kind.KPI_TILE, "on_time_delivery", Widget.Width.QUARTER),
    (Widget.Kind.KPI_TILE, "return_rate", Widget.Width.QUARTER),
    (Widget.Kind.KPI_TILE, "logistics_cost_per_order", Widget.Width.QUARTER),
    (Widget.Kind.TREND, "order_processing_mean", Widget.Width.HALF),
    (Widget.Kind.TREND, "throughput", Widget.Width.HALF),
    (Widget.Kind.HEATMAP, "", Widget.Width.FULL),
    (Widget.Kind.ACTION_PLANS, "", Widget.Width.HALF),
    (Widget.Kind.FRESHNESS, "", Widget.Width.HALF),
]
HEATMAP_KPIS = ["order_processing_mean", "on_time_delivery", "return_rate", "capacity_utilisation", "throughput"]


def seed(ctx: DemoContext) -> None:
    org = ctx.companies["lumen"]
    ceo, coo = ctx.member("lumen", Role.CEO), ctx.member("lumen", Role.COO)
    kpis = {k.slug: k for k in Kpi.objects.for_org(org)}
    dashboard = services.dashboard_create(by=ceo, name="Logistique", team="Logistique", owner=coo)
    for kind, slug, width in LOGISTICS_WIDGETS:
        services.widget_add(dashboard=dashboard, kind=kind, kpi=kpis.get(slug), width=width, months=24 if
                            kind == Widget.Kind.TREND else 12,
                            kpis=[kpis[s] for s in HEATMAP_KPIS if s in kpis] if kind == Widget.Kind.HEATMAP else None)
    services.dashboard_update(dashboard=dashboard, name=dashboard.name, team="Logistique", owner=coo, period="month",
                              comparison="previous", roles=[Role.CXO],
                              members=[coo, ctx.member("lumen", Role.VIEWER)])
    ctx.log("  Maison Lumen: the Logistique team dashboard (owner: the COO), shared with the logistics team")
