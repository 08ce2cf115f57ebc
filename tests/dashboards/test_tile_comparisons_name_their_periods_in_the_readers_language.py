"""A tile's "vs …" names the month, quarter or year it is compared with as the reader says it ("vs octobre 2025",
"vs T3 2026"), never as the engine keys it ("2025-10", "Q3 2026")."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.capabilities import Role
from dashboards.defaults import WidgetSpec
from dashboards.models import Widget
from dashboards.periods import dashboard_period
from dashboards.widgets import dashboard_view
from kpis.models import KpiValue
from tests.dashboards.conftest import TODAY
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_history


def _tile(org, key: str, language: str) -> dict:
    ceo = make_member(org, role=Role.CEO)
    with translation.override(language):
        period = dashboard_period(org, key=key, today=TODAY)
        view = dashboard_view(org, membership=ceo, specs=[WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug="revenue")],
                              period=period, today=TODAY)
    return view.widgets[0].tile


@pytest.mark.parametrize(("language", "previous", "last_year"), [
    ("fr", "septembre 2026", "octobre 2025"),
    ("en", "September 2026", "October 2025"),
])
def test_a_month_tile_names_the_month_before_and_last_years(acme, language, previous, last_year):
    set_history(make_kpi(acme, slug="revenue"), last=date(2026, 10, 1), values=["90"] * 13 + ["100", "120"])
    tile = _tile(acme, "month", language)
    assert (tile["previous_label"], tile["last_year_label"]) == (previous, last_year)


@pytest.mark.parametrize(("language", "previous", "last_year"), [
    ("fr", "T3 2026", "T4 2025"),
    ("en", "Q3 2026", "Q4 2025"),
])
def test_a_quarter_tile_names_the_quarters_in_the_readers_language(acme, language, previous, last_year):
    revenue = make_kpi(acme, slug="revenue")
    for start, end in ((date(2026, 10, 1), date(2026, 12, 31)), (date(2026, 7, 1), date(2026, 9, 30)),
                       (date(2025, 10, 1), date(2025, 12, 31))):
        KpiValue.objects.create(organization=acme, kpi=revenue, grain="quarter", period_start=start, period_end=end,
                                value=Decimal("300"), computed_at="2026-11-15T09:00Z")
    tile = _tile(acme, "quarter", language)
    assert (tile["previous_label"], tile["last_year_label"]) == (previous, last_year)
