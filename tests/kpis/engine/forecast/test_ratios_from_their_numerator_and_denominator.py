"""A ratio KPI is forecast from the forecasts of its numerator and denominator, never by extrapolating the
ratio; it is never moved more than KPIS_FORECAST_RATIO_MAX_MOVE (40 %) from its value to date without a reason."""

from datetime import date
from decimal import Decimal as D

from tests.kpis.engine.forecast.helpers import forecast_of
from tests.kpis.engine.records import ledger

TODAY = date(2026, 3, 10)


def _last_march(org, *, first_days: tuple, whole_month: tuple):
    (rev_td, cogs_td), (rev, cogs) = first_days, whole_month
    ledger(org, "707000", date(2025, 3, 5), credit=rev_td)
    ledger(org, "607000", date(2025, 3, 5), debit=cogs_td)
    ledger(org, "707000", date(2025, 3, 25), credit=rev - rev_td)
    ledger(org, "607000", date(2025, 3, 25), debit=cogs - cogs_td)


def test_gross_margin_of_50_8_to_date_is_not_forecast_at_67(catalogue):
    # Last March the margin was 40 % after 10 days and 53 % at month end: applying that 1.325 to the ratio
    # itself gave 50.8 % × 1.325 = 67 %.
    _last_march(catalogue, first_days=(400, 240), whole_month=(1000, 470))
    ledger(catalogue, "707000", date(2026, 3, 4), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 4), debit=492)
    f = forecast_of(catalogue, "gross_margin_pct", today=TODAY)
    assert f.actual_to_date == D("50.8")
    # revenue 1,000 × 1000/400 = 2,500; cost 492 × 470/240 = 963.5; (2,500 − 963.5) ÷ 2,500
    assert (f.value, f.method) == (D("61.46"), "ratio_of_forecasts")


def test_a_ratio_with_the_same_pace_on_both_sides_stays_where_it_is(catalogue):
    ledger(catalogue, "707000", date(2026, 3, 4), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 4), debit=650)
    f = forecast_of(catalogue, "gross_margin_pct", today=TODAY)
    assert (f.value, f.method) == (D("35"), "ratio_of_forecasts")


def test_a_ratio_forecast_far_from_its_value_to_date_is_held_with_the_reason(catalogue):
    _last_march(catalogue, first_days=(100, 500), whole_month=(1000, 520))
    ledger(catalogue, "707000", date(2026, 3, 4), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 4), debit=500)
    f = forecast_of(catalogue, "gross_margin_pct", today=TODAY)
    assert (f.value, f.method) == (D("50"), "ratio_held")
    assert f.basis["forecast"] == "94.80"  # what the inputs' forecasts gave
    assert f.basis["move"] == "0.90"  # 90 % away from 50 %, above the 40 % allowed
