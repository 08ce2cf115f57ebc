"""Forecasts are written by the recompute next to the values; an incremental recompute refreshes those of
the KPIs it touched, and the daily beat refreshes every forecast made on an earlier day."""

from datetime import date
from decimal import Decimal as D

from django.utils import timezone
from freezegun import freeze_time

from kpis.models import KpiForecast
from kpis.selectors import kpi_by_slug
from kpis.services import kpi_forecasts_refresh, kpi_values_recompute
from kpis.tasks import kpi_forecasts_refresh_due_task
from tests.kpis.engine.records import ledger


def _revenue_month(org, today):
    return KpiForecast.objects.for_org(org).get(kpi=kpi_by_slug(org, slug="revenue"), grain="month",
                                                period_start=today.replace(day=1))


def test_an_incremental_recompute_refreshes_the_forecasts_of_what_it_touched(catalogue):
    today = date(2026, 3, 10)
    ledger(catalogue, "706000", date(2026, 3, 4), credit=1000)
    kpi_values_recompute(org=catalogue, today=today)
    assert _revenue_month(catalogue, today).value == D("3100")
    ledger(catalogue, "706000", date(2026, 3, 9), credit=1000)
    kpi_values_recompute(org=catalogue, today=today, changes={"ledgerline": {date(2026, 3, 9)}})
    assert _revenue_month(catalogue, today).value == D("6200")


def test_the_open_periods_are_forecast_months_to_the_fiscal_year_end(catalogue):
    kpi_values_recompute(org=catalogue, today=date(2026, 3, 10))
    revenue = kpi_by_slug(catalogue, slug="revenue")
    rows = KpiForecast.objects.for_org(catalogue).filter(kpi=revenue)
    assert sorted((r.grain, r.period_start.month) for r in rows if r.grain != "month") == [
        ("quarter", 1), ("year", 1)]
    assert sorted(r.period_start.month for r in rows if r.grain == "month") == list(range(3, 13))


def test_the_daily_refresh_moves_the_elapsed_share(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=1000)
    kpi_values_recompute(org=catalogue, today=date(2026, 3, 10))
    with freeze_time("2026-03-20 00:10:00"):
        assert kpi_forecasts_refresh_due_task() >= 1  # one task per organization, run at once in tests
        assert timezone.localdate() == date(2026, 3, 20)
    f = _revenue_month(catalogue, date(2026, 3, 20))
    assert (f.as_of, f.elapsed, f.value) == (date(2026, 3, 20), D("0.6452"), D("1550"))


def test_a_refresh_on_the_same_day_changes_nothing(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=1000)
    kpi_values_recompute(org=catalogue, today=date(2026, 3, 10))
    before = list(KpiForecast.objects.for_org(catalogue).values_list("kpi_id", "grain", "period_start", "value"))
    assert kpi_forecasts_refresh(org=catalogue, today=date(2026, 3, 10), only_if_stale=True) == 0
    kpi_forecasts_refresh(org=catalogue, today=date(2026, 3, 10))
    after = list(KpiForecast.objects.for_org(catalogue).values_list("kpi_id", "grain", "period_start", "value"))
    assert sorted(before) == sorted(after)
