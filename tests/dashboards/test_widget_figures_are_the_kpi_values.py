"""Each widget shows the materialised KPI values themselves: tile, deltas, trend, breakdown, heatmap, ageing."""

from datetime import date
from decimal import Decimal

from accounts.capabilities import Role
from dashboards.defaults import WidgetSpec
from dashboards.models import Widget
from dashboards.periods import dashboard_period
from dashboards.widgets import dashboard_view
from kpis.models import KpiValue
from kpis.presenters import format_kpi_value
from tests.dashboards.conftest import TODAY
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_history, set_target, set_value


def _view(org, member, specs, key="month"):
    period = dashboard_period(org, key=key, today=TODAY)
    return dashboard_view(org, membership=member, specs=specs, period=period, today=TODAY)


def test_a_tile_shows_the_value_its_target_and_changes_on_the_month_before_and_last_year(acme):
    revenue = make_kpi(acme, slug="revenue")
    set_history(revenue, last=date(2026, 10, 1), values=["80"] + ["90"] * 11 + ["100", "120"])
    set_target(revenue, date(2026, 10, 1), "110")
    ceo = make_member(acme, role=Role.CEO)
    tile = _view(acme, ceo, [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug="revenue")]).widgets[0].tile
    stored = KpiValue.objects.for_org(acme).get(kpi=revenue, period_start=date(2026, 10, 1)).value
    assert tile["value"] == stored == Decimal("120")
    assert tile["value_text"] == format_kpi_value(stored, "eur")
    assert tile["target_text"] == format_kpi_value(Decimal("110"), "eur") and tile["status"] == "on_track"
    assert tile["delta_previous"].text == "+20.0%"  # 120 vs 100 in September
    assert tile["delta_last_year"].text == "+33.3%"  # 120 vs 90 in October 2025


def test_the_quarter_tiles_read_the_quarter_value_not_a_month(acme):
    revenue = make_kpi(acme, slug="revenue")
    KpiValue.objects.create(organization=acme, kpi=revenue, grain="quarter", period_start=date(2026, 10, 1),
                            period_end=date(2026, 12, 31), value=Decimal("345"), computed_at="2026-11-15T09:00Z")
    ceo = make_member(acme, role=Role.CEO)
    tile = _view(acme, ceo, [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug="revenue")], key="quarter").widgets[0].tile
    assert tile["value"] == Decimal("345")


def test_a_trend_draws_each_month_and_its_target_and_links_each_point_to_its_records(acme):
    revenue = make_kpi(acme, slug="revenue")
    values = [str(100 + i) for i in range(24)]
    set_history(revenue, last=date(2026, 10, 1), values=values, targets=["110"] * 24)
    ceo = make_member(acme, role=Role.CEO)
    chart = _view(acme, ceo, [WidgetSpec(kind=Widget.Kind.TREND, kpi_slug="revenue", months=24)]).widgets[0].chart
    # 24 months up to the running one (November, with no value yet)
    assert chart["periods"][0] == "2024-12-01" and chart["periods"][-1] == "2026-11-01"
    assert chart["actual"][-2] == 123.0 and chart["actual"][-1] is None
    assert chart["target"][-2] == 110.0
    assert chart["links"][-2] == "/o/acme/kpis/revenue/lineage/?month=2026-10"


def test_a_breakdown_shows_each_dimension_value_largest_first(acme):
    spend = make_kpi(acme, slug="channel_spend", dimension_label="channel")
    set_value(spend, date(2026, 10, 1), "300", dimension_value="Ads")
    set_value(spend, date(2026, 10, 1), "500", dimension_value="SEO")
    set_value(spend, date(2026, 10, 1), "800")
    cmo = make_member(acme, role=Role.CMO)
    chart = _view(acme, cmo, [WidgetSpec(kind=Widget.Kind.BREAKDOWN, kpi_slug="channel_spend")]).widgets[0].chart
    assert chart["labels"] == ["SEO", "Ads"] and chart["values"] == [500.0, 300.0]
    assert chart["links"][0].endswith("month=2026-10&dimension=SEO")


def test_the_ageing_shows_the_four_buckets_as_the_kpis_hold_them(acme):
    for slug, amount in [("late_0_30", "10"), ("late_31_60", "20"), ("late_61_90", "0"), ("late_over_90", "40")]:
        set_value(make_kpi(acme, slug=slug), date(2026, 10, 1), amount)
    cfo = make_member(acme, role=Role.CFO)
    widget = _view(acme, cfo, [WidgetSpec(kind=Widget.Kind.AGEING, kpi_slugs=("late_0_30",))]).widgets[0]
    assert widget.chart["values"] == [10.0, 20.0, 0.0, 40.0]


def test_the_heatmap_colours_each_month_by_the_kpis_status(acme):
    revenue = make_kpi(acme, slug="revenue")
    set_history(revenue, last=date(2026, 10, 1), values=["100", "85"], targets=["90", "90"])
    ceo = make_member(acme, role=Role.CEO)
    chart = _view(acme, ceo, [WidgetSpec(kind=Widget.Kind.HEATMAP, kpi_slugs=("revenue",))]).widgets[0].chart
    statuses = {c["x"]: c["status"] for c in chart["cells"]}
    assert statuses[len(chart["periods"]) - 2] == "on_track" and statuses[len(chart["periods"]) - 1] == "at_risk"


def test_a_cost_figure_never_reaches_a_role_without_cost_detail(acme):
    margin = make_kpi(acme, slug="gross_margin_pct", unit="percent", visibility="kpis.view_costs")
    set_value(margin, date(2026, 10, 1), "42")
    viewer = make_member(acme, role=Role.VIEWER)
    view = _view(acme, viewer, [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug="gross_margin_pct"),
                                WidgetSpec(kind=Widget.Kind.HEATMAP, kpi_slugs=("gross_margin_pct",))])
    assert view.hidden == 1
    assert all(w.kind != Widget.Kind.KPI_TILE for w in view.widgets)
    assert view.widgets[0].spec.kpi_slugs == ()  # the heatmap keeps only what the reader may see
