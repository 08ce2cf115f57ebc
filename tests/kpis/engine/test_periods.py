"""Months, fiscal quarters and fiscal years, period-to-date and trailing twelve months."""

from datetime import date

from kpis.periods import (
    elapsed_fraction,
    period_containing,
    period_to_date,
    periods_between,
    trailing_twelve_months,
)


def test_a_calendar_company():
    q = period_containing(date(2026, 5, 17), "quarter")
    assert (q.start, q.end, q.label()) == (date(2026, 4, 1), date(2026, 6, 30), "Q2 2026")
    y = period_containing(date(2026, 5, 17), "year")
    assert (y.start, y.end, y.label(), y.days) == (date(2026, 1, 1), date(2026, 12, 31), "FY2026", 365)
    assert period_containing(date(2024, 2, 10)).end == date(2024, 2, 29)  # leap year


def test_a_fiscal_year_starting_in_july():
    q = period_containing(date(2026, 8, 15), "quarter", 7)
    assert (q.start, q.end, q.label()) == (date(2026, 7, 1), date(2026, 9, 30), "Q1 FY2026/27")
    assert period_containing(date(2026, 3, 1), "quarter", 7).label() == "Q3 FY2025/26"
    y = period_containing(date(2026, 3, 1), "year", 7)
    assert (y.start, y.end, y.label()) == (date(2025, 7, 1), date(2026, 6, 30), "FY2025/26")


def test_a_fiscal_year_starting_in_february_has_quarters_across_calendar_quarters():
    q = period_containing(date(2026, 4, 30), "quarter", 2)
    assert (q.start, q.end) == (date(2026, 2, 1), date(2026, 4, 30))
    assert q.next().start == date(2026, 5, 1)
    assert q.previous().start == date(2025, 11, 1)


def test_periods_between_and_last_year():
    months = periods_between(date(2025, 11, 20), date(2026, 2, 3), "month")
    assert [p.label() for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_containing(date(2026, 2, 3)).same_period_last_year().start == date(2025, 2, 1)
    assert periods_between(date(2026, 2, 3), date(2026, 1, 1)) == []


def test_period_to_date_trailing_twelve_months_and_elapsed_share():
    march = period_containing(date(2026, 3, 1))
    assert period_to_date(march, date(2026, 3, 10)).end == date(2026, 3, 10)
    assert period_to_date(march, date(2026, 5, 1)).end == date(2026, 3, 31)
    ttm = trailing_twelve_months(march)
    assert (ttm[0].start, ttm[-1].end, len(ttm)) == (date(2025, 4, 1), date(2026, 3, 31), 12)
    assert elapsed_fraction(march, date(2026, 3, 10)) == 10 / 31
    assert elapsed_fraction(march, date(2026, 2, 1)) == 0.0
    assert elapsed_fraction(march, date(2026, 4, 1)) == 1.0
