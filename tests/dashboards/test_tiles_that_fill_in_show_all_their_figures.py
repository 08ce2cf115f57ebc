"""When a role's pack runs dry, the KPIs that fill in its tiles are those with a value in the tile's period, in the
catalogue's order, and each shows the same figures as a tile of the pack: value, changes, sparkline. (The other
KPIs are first read for that period alone, then only those that fill in for the rest.)"""

from datetime import date
from decimal import Decimal

from accounts.capabilities import Role
from dashboards.defaults import role_layout
from dashboards.models import Widget
from dashboards.periods import dashboard_period
from dashboards.widgets import dashboard_view
from tests.dashboards.conftest import TODAY
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_history, set_value


def _tiles(org, member, key="month"):
    period = dashboard_period(org, key=key, today=TODAY)
    view = dashboard_view(org, membership=member, specs=role_layout(member.role), period=period, fill_tiles=True,
                          today=TODAY)
    return [w.tile for w in view.widgets if w.kind == Widget.Kind.KPI_TILE], view


def test_a_kpi_without_a_value_this_month_is_passed_over_and_the_next_fills_in_with_its_sparkline(acme):
    spend = make_kpi(acme, slug="total_marketing_spend", sort_order=1)
    set_history(spend, last=date(2026, 10, 1), values=["10"] * 13)
    silent = make_kpi(acme, slug="a_silent_kpi", sort_order=2)  # first of the others, no October value
    set_value(silent, date(2026, 9, 1), "5")
    first = make_kpi(acme, slug="b_first_filler", sort_order=3)
    set_history(first, last=date(2026, 10, 1), values=["80"] + [str(90 + i) for i in range(11)] + ["200"])
    second = make_kpi(acme, slug="c_second_filler", sort_order=4)
    set_value(second, date(2026, 10, 1), "7")
    set_value(make_kpi(acme, slug="d_not_needed", sort_order=5), date(2026, 10, 1), "9")
    cmo = make_member(acme, role=Role.CMO)

    tiles, view = _tiles(acme, cmo)

    assert [t["kpi"].slug for t in tiles] == ["total_marketing_spend", "b_first_filler", "c_second_filler"]
    filler = tiles[1]
    assert filler["value"] == Decimal("200")
    assert filler["delta_previous"].text == "+100.0%"  # 200 vs 100 in September
    assert filler["delta_last_year"].text == "+150.0%"  # 200 vs 80 in October 2025
    spark = next(w for w in view.widgets if w.tile is filler).chart
    assert spark["periods"][0] == "2025-11-01" and spark["periods"][-1] == "2026-10-01"
    assert spark["values"] == [float(90 + i) for i in range(11)] + [200.0]

