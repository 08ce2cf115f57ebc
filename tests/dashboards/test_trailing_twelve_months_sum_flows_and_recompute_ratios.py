"""The period picker's trailing 12 months: flows summed over the 12 months, stocks at the last month's end,
ratios recomputed from the summed numerators and denominators, checked against sums made by hand."""

from datetime import date
from decimal import Decimal

from accounts.capabilities import Role
from dashboards.defaults import WidgetSpec
from dashboards.models import Widget
from dashboards.periods import dashboard_period
from dashboards.widgets import dashboard_view
from kpis.periods import add_months
from kpis.presenters import format_kpi_value
from tests.dashboards.conftest import TODAY
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, make_metric, set_target, set_value

LAST = date(2026, 10, 1)  # the last complete month on TODAY
# 24 months, oldest first: November 2024 … October 2026
REVENUE = [Decimal(100 + 10 * i) for i in range(24)]
COGS = [Decimal(40 + 7 * i) for i in range(24)]
CASH = [Decimal(1000 + 50 * i) for i in range(24)]


def _month(i: int) -> date:
    return add_months(LAST, i - 23)


def _company(org):
    make_metric(org, slug="sales", aggregation="sum")
    make_metric(org, slug="cogs", aggregation="sum", record_type="ledger_line", value="debit - credit",
                date_field="date")
    make_metric(org, slug="bank", aggregation="balance", record_type="ledger_line", value="debit - credit",
                date_field="date")
    revenue = make_kpi(org, slug="revenue", formula="sales")
    margin = make_kpi(org, slug="gross_margin_pct", formula="(revenue - cogs) / revenue * 100", unit="percent")
    cash = make_kpi(org, slug="net_cash", formula="bank")
    for i in range(24):
        set_value(revenue, _month(i), REVENUE[i], inputs={"metrics": {"sales": str(REVENUE[i])}})
        set_value(margin, _month(i), (REVENUE[i] - COGS[i]) / REVENUE[i] * 100,
                  inputs={"kpis": {"revenue": str(REVENUE[i])}, "metrics": {"cogs": str(COGS[i])}})
        set_value(cash, _month(i), CASH[i], inputs={"metrics": {"bank": str(CASH[i])}})
    return revenue, margin, cash


def _tiles(org, member, *slugs):
    period = dashboard_period(org, key="trailing_12", today=TODAY)
    view = dashboard_view(org, membership=member, today=TODAY, period=period,
                          specs=[WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug=s) for s in slugs])
    return {w.spec.kpi_slug: w.tile for w in view.widgets}


def test_revenue_is_the_sum_of_the_12_months_and_is_compared_with_the_12_months_a_year_before(acme):
    _company(acme)
    tile = _tiles(acme, make_member(acme, role=Role.CEO), "revenue")["revenue"]

    last_12, year_before = sum(REVENUE[12:]), sum(REVENUE[:12])
    assert tile["value"] == last_12 == Decimal(3300)  # 220 + 230 + … + 330
    change = (last_12 - year_before) / year_before
    assert tile["delta_last_year"].text == f"+{change * 100:.1f}%"


def test_cash_is_the_last_months_and_the_margin_recomputed_from_the_summed_figures(acme):
    _company(acme)
    tiles = _tiles(acme, make_member(acme, role=Role.CEO), "net_cash", "gross_margin_pct")

    assert tiles["net_cash"]["value"] == CASH[-1]
    revenue, cogs = sum(REVENUE[12:]), sum(COGS[12:])
    by_hand = (revenue - cogs) / revenue * 100
    mean_of_ratios = sum((r - c) / r * 100 for r, c in zip(REVENUE[12:], COGS[12:])) / 12
    assert tiles["gross_margin_pct"]["value"] == by_hand
    assert abs(by_hand - mean_of_ratios) > Decimal("0.01")  # so the test tells the two apart


def test_the_target_of_a_flow_is_the_sum_of_its_monthly_targets(acme):
    revenue, _margin, _cash = _company(acme)
    for i in range(12, 24):
        set_target(revenue, _month(i), "350")
    tile = _tiles(acme, make_member(acme, role=Role.CEO), "revenue")["revenue"]

    assert tile["target_text"] == format_kpi_value(Decimal(4200), "eur")
    assert tile["status"] == "off_track"  # 3,300 against 4,200: more than 10 % short


def test_with_fewer_than_12_months_there_is_no_trailing_figure_and_the_tile_says_why(acme):
    revenue = make_kpi(acme, slug="revenue")
    for i in range(20, 24):
        set_value(revenue, _month(i), "100")
    tile = _tiles(acme, make_member(acme, role=Role.CEO), "revenue")["revenue"]

    assert tile["value"] is None  # not the sum of four months passed off as a year
    assert "12 months" in tile["reason"]
