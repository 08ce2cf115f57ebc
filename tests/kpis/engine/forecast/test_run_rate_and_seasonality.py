"""A flow's month forecast: value to date × last year's full month ÷ last year's same days, or the plain
run-rate without last year."""

from datetime import date
from decimal import Decimal as D

from tests.kpis.engine.forecast.helpers import forecast_of
from tests.kpis.engine.records import ledger

TODAY = date(2026, 3, 10)


def test_run_rate_alone_without_last_year(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = forecast_of(catalogue, "revenue", today=TODAY)
    assert f.actual_to_date == D("2000")
    assert (f.value, f.method) == (D("6200"), "run_rate")  # 2,000 in 10 days → × 31 ÷ 10
    assert f.basis["days"] == 10


def test_seasonality_from_the_same_days_last_year(catalogue):
    ledger(catalogue, "706000", date(2025, 3, 5), credit=1000)  # last year, first 10 days
    ledger(catalogue, "706000", date(2025, 3, 25), credit=3200)  # the rest of last March
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = forecast_of(catalogue, "revenue", today=TODAY)
    # last year the first 10 days made 1,000 of 4,200: factor 4.2 on this year's 2,000
    assert (f.value, f.method) == (D("8400"), "seasonal")
    assert f.basis["factors"] == {"revenue_ledger": "4.2000"}
    assert f.last_year == D("4200")


def test_a_closed_period_forecasts_its_actual_value(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = forecast_of(catalogue, "revenue", today=date(2026, 5, 1), day=TODAY)
    assert (f.value, f.elapsed, f.method) == (D("2000"), 1.0, "actual")


def test_last_year_too_thin_to_learn_from_is_ignored(catalogue):
    ledger(catalogue, "706000", date(2025, 3, 5), credit=10)  # 10 € in last year's first 10 days…
    ledger(catalogue, "706000", date(2025, 3, 25), credit=9990)  # …of 10,000: a factor of 1,000
    ledger(catalogue, "706000", date(2026, 3, 4), credit=2000)
    f = forecast_of(catalogue, "revenue", today=TODAY)
    assert (f.value, f.method) == (D("6200"), "run_rate")  # more than 4 times off the run-rate of 3.1
