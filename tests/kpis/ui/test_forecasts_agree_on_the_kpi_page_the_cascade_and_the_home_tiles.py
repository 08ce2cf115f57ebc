"""One source for forecasts: the KPI page, the cascade's risk and the home tiles show the figures the recompute
materialised, so they agree; a page view never recomputes them."""

from datetime import date
from decimal import Decimal as D

import pytest

from accounts.capabilities import Role
from kpis.engine import forecast as forecast_engine
from kpis.models import KpiForecast
from kpis.periods import period_containing
from kpis.presenters import kpi_detail_for
from kpis.presenters.panel import home_panel_for
from kpis.selectors import kpi_by_slug
from kpis.services import catalogue_install, kpi_target_set, kpi_values_recompute
from objectives.selectors import objective_node
from tests.factories import make_member
from tests.kpis.engine.records import ledger
from tests.objectives.helpers import make_key_result, make_objective

TODAY = date(2026, 11, 15)  # the ui conftest freezes time on this day


@pytest.fixture
def books(acme):
    catalogue_install(acme)
    ledger(acme, "706000", date(2026, 10, 8), credit=30000)
    ledger(acme, "706000", date(2026, 11, 4), credit=12000)
    revenue = kpi_by_slug(acme, slug="revenue")
    kpi_target_set(kpi=revenue, by=None, grain="month", period_start=date(2026, 11, 1), value=D("30000"))
    kpi_target_set(kpi=revenue, by=None, grain="quarter", period_start=date(2026, 10, 1), value=D("90000"))
    kpi_values_recompute(org=acme, today=TODAY)
    return acme


def test_the_kpi_page_the_cascade_and_the_home_tile_show_the_same_forecast(books, monkeypatch):
    monkeypatch.setattr(forecast_engine, "forecasts_compute", lambda *a, **k: pytest.fail("recomputed on a view"))
    revenue = kpi_by_slug(books, slug="revenue")
    ceo = make_member(books, role=Role.CEO)
    page = kpi_detail_for(books, kpi=revenue, membership=ceo, month=period_containing(TODAY), today=TODAY)
    month_row, quarter_row = page.forecasts[0], page.forecasts[1]
    stored = KpiForecast.objects.for_org(books).get(kpi=revenue, grain="quarter", period_start=date(2026, 10, 1))
    # October's actual + November at its run-rate (12,000 in 15 days) + December at November's pace (no last year)
    assert quarter_row.raw == stored.value == D("30000") + D("24000") + D("24000")
    objective = make_objective(books, owner=ceo)  # Q4 2026
    make_key_result(objective, kpi=revenue, start="0", target="90000")
    assert objective_node(books, objective=objective, today=TODAY).key_results[0].forecast == quarter_row.raw
    tile = next(t for t in home_panel_for(ceo, today=TODAY)["tiles"] if t.kpi.slug == "revenue")
    assert tile.forecast_text == month_row.forecast_text
    assert (tile.forecast_status, month_row.status) == ("off_track", "off_track")  # 24,000 for a 30,000 target
