"""Below the minimum share of the month elapsed (KPIS_FORECAST_MIN_SHARE, 20 %) a month is not forecast:
the same month last year stands in, labelled "too early to forecast"."""

from datetime import date
from decimal import Decimal as D

from tests.kpis.engine.forecast.helpers import forecast_of
from tests.kpis.engine.records import ledger


def test_one_elapsed_day_is_too_early_and_shows_last_year(catalogue):
    ledger(catalogue, "706000", date(2025, 3, 20), credit=4200)
    ledger(catalogue, "706000", date(2026, 3, 1), credit=900)
    f = forecast_of(catalogue, "revenue", today=date(2026, 3, 1))
    assert f.is_too_early
    assert f.method_label == "Too early to forecast"
    assert f.last_year == D("4200")
    assert f.value == D("4200")  # what the quarter counts for this month: last year's, not 900 × 31
    assert f.basis["min_share"] == "0.2"


def test_the_minimum_share_is_a_setting(catalogue, settings):
    settings.KPIS_FORECAST_MIN_SHARE = "0.05"
    ledger(catalogue, "706000", date(2026, 3, 2), credit=1000)
    f = forecast_of(catalogue, "revenue", today=date(2026, 3, 2))
    assert (f.method, f.value) == ("run_rate", D("15500"))


def test_past_the_minimum_share_the_month_is_forecast(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 2), credit=1000)
    f = forecast_of(catalogue, "revenue", today=date(2026, 3, 7))  # 7 / 31 = 22.6 %
    assert not f.is_too_early
    assert f.value == D("4428.571429")


def test_without_last_year_the_last_closed_month_stands_in(catalogue):
    ledger(catalogue, "706000", date(2026, 2, 10), credit=3000)
    ledger(catalogue, "706000", date(2026, 3, 1), credit=10)
    f = forecast_of(catalogue, "revenue", today=date(2026, 3, 2))
    assert (f.method, f.value, f.last_year) == ("too_early", D("3000"), None)
