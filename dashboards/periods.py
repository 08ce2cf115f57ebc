"""The dashboard's period picker: which materialised period the tiles read, and what they compare it with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import Organization
from dashboards.models import Comparison
from dashboards.models import Period as PeriodChoice
from kpis import selectors
from kpis.periods import Period
from kpis.presenters import period_label


@dataclass(frozen=True)
class DashboardPeriod:
    key: str  # a dashboards.models.Period value
    period: Period  # what the tiles read: the last complete month, or the running quarter / fiscal year
    reference: Period  # what the deltas compare it with (the comparison chosen)
    previous: Period
    last_year: Period
    comparison: str
    spark_end: Period  # the last month of sparklines and heatmaps (the last complete one)
    trend_end: Period  # the last month of trends (the running one, drawn as a forecast)
    is_running: bool

    @property
    def label(self) -> str:
        if self.key == PeriodChoice.TRAILING_12:
            return _("12 months to %(month)s") % {"month": period_label(self.period)}
        text = period_label(self.period)
        return _("%(period)s (to date)") % {"period": text} if self.is_running else text

    @property
    def is_trailing(self) -> bool:
        """Tiles show the 12 months to `period` (flows summed, stocks at the end, ratios recomputed)."""
        return self.key == PeriodChoice.TRAILING_12

    @property
    def reference_label(self) -> str:
        return period_label(self.reference)


def dashboard_period(org: Organization, *, key: str, comparison: str = Comparison.PREVIOUS,
                     today: date) -> DashboardPeriod:
    """Month: the last complete month. Quarter and fiscal year: the running one, to date (with its forecast).
    Trailing 12 months: the tiles read the 12 months to the last complete month (dashboards.trailing), compared
    with the 12 months to the month before and to the same month a year before; trends over those 12 months."""
    if key not in PeriodChoice.values:
        key = PeriodChoice.MONTH
    if comparison not in Comparison.values:
        comparison = Comparison.PREVIOUS
    running_month = selectors.current_period(org, today=today)
    last_month = running_month.previous()
    if key in (PeriodChoice.QUARTER, PeriodChoice.FISCAL_YEAR):
        period = selectors.current_period(org, grain=key, today=today)
    else:
        period = last_month
    previous, last_year = period.previous(), period.same_period_last_year()
    if key == PeriodChoice.TRAILING_12:
        comparison = Comparison.LAST_YEAR  # a trailing year is compared with the year before
    return DashboardPeriod(
        key=key, period=period, previous=previous, last_year=last_year, comparison=comparison,
        reference=last_year if comparison == Comparison.LAST_YEAR else previous,
        spark_end=last_month, trend_end=running_month, is_running=period.contains(today))


def period_options(selected: str) -> list[dict]:
    return [{"value": value, "label": label, "selected": value == selected} for value, label in PeriodChoice.choices]


def comparison_options(selected: str) -> list[dict]:
    return [{"value": value, "label": label, "selected": value == selected} for value, label in Comparison.choices]
