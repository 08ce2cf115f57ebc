"""Forecasts as the recompute materialises them."""

from __future__ import annotations

from datetime import date

from kpis.periods import period_containing
from kpis.selectors import kpi_by_slug, kpi_forecast
from kpis.services import kpi_values_recompute


def forecast_of(org, slug: str, *, today: date, grain: str = "month", day: date | None = None, recompute=True):
    """Recompute (as of `today`) and read the materialised forecast of the period of `grain` containing `day`."""
    if recompute:
        kpi_values_recompute(org=org, today=today)
    period = period_containing(day or today, grain, org.fiscal_year_start_month)
    return kpi_forecast(org, kpi=kpi_by_slug(org, slug=slug), period=period, today=today)
