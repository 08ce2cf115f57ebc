"""Forecast to period end: run-rate of the days elapsed, times last year's seasonality when there is one."""

from datetime import date
from decimal import Decimal as D

from kpis.periods import period_containing
from kpis.selectors import kpi_by_slug, kpi_forecast
from tests.kpis.engine.records import ledger

MARCH = period_containing(date(2026, 3, 1))


def test_run_rate_alone_without_last_year(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = kpi_forecast(
        catalogue, kpi=kpi_by_slug(catalogue, slug="revenue"), period=MARCH, today=date(2026, 3, 10)
    )
    assert f.actual_to_date == D("2000")
    assert f.run_rate == D("6200")  # 2,000 in 10 days → × 31 ÷ 10
    assert f.seasonal_factor is None
    assert f.value == D("6200")


def test_seasonality_from_the_same_period_last_year(catalogue):
    ledger(catalogue, "706000", date(2025, 3, 5), credit=1000)  # last year, first 10 days
    ledger(catalogue, "706000", date(2025, 3, 25), credit=3200)  # the rest of last March
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = kpi_forecast(
        catalogue, kpi=kpi_by_slug(catalogue, slug="revenue"), period=MARCH, today=date(2026, 3, 10)
    )
    # last year: run-rate at day 10 = 1,000 × 3.1 = 3,100; actual 4,200 → factor 4,200 ÷ 3,100 = 1.3548
    assert f.seasonal_factor == D("1.3548")
    assert f.value == D("8399.76")  # 6,200 × 1.3548


def test_a_ratio_is_not_inflated_by_the_run_rate(catalogue):
    ledger(catalogue, "707000", date(2026, 3, 4), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 4), debit=650)
    f = kpi_forecast(
        catalogue, kpi=kpi_by_slug(catalogue, slug="gross_margin_pct"), period=MARCH, today=date(2026, 3, 10)
    )
    assert f.value == D("35")  # both sides scale by 3.1: (3,100 − 2,015) ÷ 3,100 = 35 %


def test_a_closed_period_forecasts_its_actual_value(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = kpi_forecast(
        catalogue, kpi=kpi_by_slug(catalogue, slug="revenue"), period=MARCH, today=date(2026, 5, 1)
    )
    assert (f.value, f.elapsed) == (D("2000"), 1.0)
