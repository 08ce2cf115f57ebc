"""A stock (net cash) is forecast from its trend over the last 90 days, not frozen at today's value."""

from datetime import date
from decimal import Decimal as D

from tests.kpis.engine.forecast.helpers import forecast_of
from tests.kpis.engine.records import ledger

TODAY = date(2026, 3, 10)  # 90 days after 2025-12-10


def test_net_cash_extends_its_90_day_trend_to_each_period_end(catalogue):
    ledger(catalogue, "512000", date(2025, 12, 1), debit=10000)
    ledger(catalogue, "512000", date(2026, 3, 5), debit=9000)  # +9,000 in 90 days: +100 a day
    month = forecast_of(catalogue, "net_cash", today=TODAY)
    year = forecast_of(catalogue, "net_cash", today=TODAY, grain="year", recompute=False)
    assert month.actual_to_date == D("19000")
    assert (month.value, month.method) == (D("21100"), "stock_trend")  # 21 days to go
    assert year.value == D("48600")  # 296 days to 31 December


def test_without_90_days_of_history_a_stock_stays_flat(catalogue):
    ledger(catalogue, "512000", date(2026, 3, 5), debit=9000)
    f = forecast_of(catalogue, "net_cash", today=TODAY)
    assert (f.value, f.method) == (D("9000"), "stock_flat")
