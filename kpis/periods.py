"""Period maths: months, quarters and fiscal years, honouring each tenant's fiscal year start month.

A quarter is a fiscal quarter: with a fiscal year starting in July, Q1 is July–September. A fiscal
year is named after the calendar year it ends in (FY2026 = July 2025 – June 2026), and labelled
"2025/26" when it does not start in January.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from config.limits import PERIOD_YEAR_MAX, PERIOD_YEAR_MIN

GRAINS = ("month", "quarter", "year")
_MONTHS_PER_GRAIN = {"month": 1, "quarter": 3, "year": 12}


def is_supported_day(d: date) -> bool:
    """Whether d falls within the years periods may cover (config.limits): far enough from year 1 and
    9999 that every neighbouring period, and a year before, can still be computed."""
    return PERIOD_YEAR_MIN <= d.year <= PERIOD_YEAR_MAX


def unsupported_day_message() -> str:
    return _("Choose a date between %(min)s and %(max)s.") % {"min": PERIOD_YEAR_MIN, "max": PERIOD_YEAR_MAX}


def validate_period_day(value: date) -> None:
    """Validator of every date that names or bounds a period (forms, API, services)."""
    if not is_supported_day(value):
        raise ValidationError(unsupported_day_message(), code="out_of_range")


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month (d is taken as its month)."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    grain: str = "month"
    fy_start_month: int = 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        return _MONTHS_PER_GRAIN[self.grain]

    @property
    def fiscal_year(self) -> int:
        """The calendar year in which this period's fiscal year ends."""
        fy_start = _fy_start_of(self.start, self.fy_start_month)
        return add_months(fy_start, 11).year

    def label(self) -> str:
        if self.grain == "month":
            return self.start.strftime("%Y-%m")
        fy = self.fiscal_year
        fy_label = str(fy) if self.fy_start_month == 1 else f"{fy - 1}/{fy % 100:02d}"
        if self.grain == "quarter":
            fy_start = _fy_start_of(self.start, self.fy_start_month)
            q = ((self.start.year - fy_start.year) * 12 + self.start.month - fy_start.month) // 3 + 1
            return f"Q{q} {fy_label}" if self.fy_start_month == 1 else f"Q{q} FY{fy_label}"
        return f"FY{fy_label}"

    def __str__(self) -> str:
        return self.label()

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def previous(self) -> Period:
        return period_containing(self.start - timedelta(days=1), self.grain, self.fy_start_month)

    def next(self) -> Period:
        return period_containing(self.end + timedelta(days=1), self.grain, self.fy_start_month)

    def same_period_last_year(self) -> Period:
        return period_containing(add_months(self.start, -12), self.grain, self.fy_start_month)


def _fy_start_of(d: date, fy_start_month: int) -> date:
    year = d.year if d.month >= fy_start_month else d.year - 1
    return date(year, fy_start_month, 1)


def period_containing(d: date, grain: str = "month", fiscal_year_start_month: int = 1) -> Period:
    """The month, fiscal quarter or fiscal year that contains day d."""
    if grain not in _MONTHS_PER_GRAIN:
        raise ValueError(f"Unknown grain {grain!r}")
    fy_start = _fy_start_of(d, fiscal_year_start_month)
    if grain == "month":
        start = date(d.year, d.month, 1)
    else:
        offset = (d.year - fy_start.year) * 12 + d.month - fy_start.month
        span = _MONTHS_PER_GRAIN[grain]
        start = add_months(fy_start, offset - offset % span)
    end = month_end(add_months(start, _MONTHS_PER_GRAIN[grain] - 1))
    return Period(start=start, end=end, grain=grain, fy_start_month=fiscal_year_start_month)


def periods_between(
    start: date, end: date, grain: str = "month", fiscal_year_start_month: int = 1
) -> list[Period]:
    """Every period of the grain that overlaps [start, end], in order."""
    if end < start:
        return []
    periods = []
    p = period_containing(start, grain, fiscal_year_start_month)
    while p.start <= end:
        periods.append(p)
        p = p.next()
    return periods


def period_to_date(period: Period, today: date) -> Period:
    """The part of `period` up to `today` (the whole period when it has ended)."""
    end = min(period.end, today)
    return Period(
        start=period.start,
        end=max(end, period.start),
        grain=period.grain,
        fy_start_month=period.fy_start_month,
    )


def trailing_twelve_months(month: Period) -> list[Period]:
    """The twelve months ending with `month` (a month period), oldest first."""
    first = add_months(month.start, -11)
    return periods_between(first, month.end, "month", month.fy_start_month)


def elapsed_fraction(period: Period, today: date) -> float:
    """Share of the period's days already elapsed on `today` (today counted), between 0 and 1."""
    if today < period.start:
        return 0.0
    if today >= period.end:
        return 1.0
    return ((today - period.start).days + 1) / period.days
