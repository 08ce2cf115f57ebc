"""The KPI page: trend, values by month, quarter or fiscal year, forecasts, the running quarter against its path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi, KpiAnnotation, KpiValue
from kpis.periods import Period, add_months, elapsed_fraction, period_containing, periods_between
from kpis.presenters.common import (
    Delta,
    as_float,
    chart_format,
    delta,
    forecast_method_text,
    format_kpi_value,
    format_number,
    formula_html,
    kpi_name,
    month_label,
    month_options,
    period_label,
    reason_text,
    status_label,
    value_status_label,
)


@dataclass
class ValueRow:
    period: Period
    label: str
    value_text: str
    reason: str
    target_text: str
    status: str
    status_label: str
    previous_text: str
    previous_delta: Delta | None
    last_year_text: str
    last_year_delta: Delta | None
    is_to_date: bool
    same_days_note: str = ""  # set when the comparisons are on the same days (a period to date)
    # The same figures as numbers, for the downloaded table (kpis/presenters/exports.py)
    value: Decimal | None = None
    target: Decimal | None = None
    previous: Decimal | None = None
    last_year: Decimal | None = None


@dataclass
class ForecastRow:
    grain: str
    grain_label: str
    period_label: str
    to_date_text: str
    forecast_text: str
    target_text: str
    status: str
    status_label: str
    method: str
    elapsed_text: str
    raw: Decimal | None = None
    target_raw: Decimal | None = None
    period: Period | None = None
    forecast: selectors.Forecast | None = None
    previous_same_days_text: str = ""
    last_year_same_days_text: str = ""
    same_days: int | None = None


@dataclass
class KpiDetail:
    kpi: Kpi
    month: Period
    current: Period
    dimension_value: str
    dimension_values: list[str]
    month_options: list[dict]
    headline: ValueRow
    rows: list[ValueRow]  # newest first
    trend: dict
    forecasts: list[ForecastRow]
    annotations: list
    breakdown: dict | None = None  # the headline month by dimension value (segment, channel…)
    cumulative: dict | None = None  # the running quarter so far against the linear path to its target
    grain: str = "month"  # of the values table
    table_rows: list[ValueRow] = field(default_factory=list)  # the values table, newest first
    linked_kpis: set[str] = field(default_factory=set)  # the KPIs the member may see: linked in the formula
    formula: str = ""  # the formula as HTML, once the driver tree named its metrics (with_formula)


def kpi_detail_for(org: Organization, *, kpi: Kpi, membership: Membership, month: Period,
                   dimension_value: str = "", grain: str = "month", today: date | None = None,
                   visibility: selectors.Visibility | None = None) -> KpiDetail:
    """Trend (24 months), values table, forecasts to period end and annotations; a fixed number of queries."""
    current = selectors.current_period(org, today=today)
    last = max(month, current)
    # 12 months shown in the table, each compared with the year before: 24 months + the one before.
    first = add_months(month.start, -24)
    # One query for the months, the running quarter's months and value (its cumulative chart) and the
    # targets of the running month, quarter and fiscal year (the forecasts beside them).
    running = _running_periods(org, today=today)
    quarter = running["quarter"]
    quarter_months = periods_between(quarter.start, min(quarter.end, today or timezone.localdate()), "month",
                                     org.fiscal_year_start_month)
    series, values, targets = selectors.kpi_series_and_readings(
        org, kpi=kpi, grain="month", start=first, end=last.end, dimension_value=dimension_value,
        also_values=[("month", m.start) for m in quarter_months] + [("quarter", quarter.start)],
        also_targets=[(grain_, p.start) for grain_, p in running.items()])
    by_start = {p.period.start: p for p in series}
    # Only KPIs the member may see are linked; the formula itself is always shown exactly.
    kpi_slugs = (visibility or selectors.kpi_visibility_for(org)).kpi_slugs_for(membership)

    def row(point) -> ValueRow:
        prev = by_start.get(point.period.previous().start)
        ly = by_start.get(add_months(point.period.start, -12))
        return _value_row(kpi, point, label=month_label(point.period), prev=prev, ly=ly, current=current)

    shown = [p for p in series if add_months(month.start, -11) <= p.period.start <= month.start]
    rows = [row(p) for p in reversed(shown)]
    forecasts = _forecasts(org, kpi=kpi, periods=running, targets=targets, today=today)
    month_forecast = forecasts[0] if forecasts else None
    for r in rows:
        _to_date_row(kpi, r, month_forecast)
    # The running month is only to date: the headline is the last complete month then.
    headline = rows[1] if len(rows) > 1 and rows[0].is_to_date else (rows[0] if rows else None)
    annotations = list(KpiAnnotation.objects.for_org(org).filter(
        kpi=kpi, grain="month", period_start__gte=add_months(month.start, -23), period_start__lte=last.start,
    ).select_related("author"))
    trend = _trend(kpi, series=series, month=month, current=current, forecast=forecasts[0] if forecasts else None,
                   annotations=annotations)
    breakdown = None
    if kpi.dimension_label and headline is not None and not dimension_value:
        parts = KpiValue.objects.for_org(org).filter(
            kpi=kpi, grain="month", period_start=headline.period.start).exclude(dimension_value="") \
            .order_by("-value", "dimension_value").values_list("dimension_value", "value")
        parts = [(name, value) for name, value in parts if value is not None]
        if parts:
            breakdown = {
                "month_label": headline.label,
                "chart": {"format": chart_format(kpi.unit), "labels": [n for n, _v in parts],
                          "values": [as_float(v) for _n, v in parts], "name": kpi_name(kpi)},
                "rows": [(n, format_kpi_value(v, kpi.unit, precise=True)) for n, v in parts],
            }
    cumulative = None
    if not dimension_value:
        cumulative = _cumulative(org, kpi=kpi, values=values, forecast=next(
            (f for f in forecasts if f is not None and f.grain == "quarter"), None), today=today)
    table_rows = rows
    if grain in ("quarter", "year"):
        table_rows = _grain_rows(org, kpi=kpi, grain=grain, month=month, dimension_value=dimension_value,
                                 forecasts=forecasts, today=today)
    return KpiDetail(
        breakdown=breakdown, cumulative=cumulative, grain=grain if grain in ("quarter", "year") else "month", table_rows=table_rows,
        kpi=kpi, linked_kpis=kpi_slugs,
        month=month, current=current, dimension_value=dimension_value,
        dimension_values=selectors.kpi_dimension_values(org, kpi=kpi) if kpi.dimension_label else [],
        month_options=month_options(org, selected=month, today=today),
        headline=headline, rows=rows, trend=trend, forecasts=[f for f in forecasts if f is not None],
        annotations=annotations,
    )


def with_formula(org: Organization, detail: KpiDetail, *, driver_root) -> KpiDetail:
    """The formula, each KPI it reads linked and each metric named on hover: the metrics come from the driver
    tree (selectors.driver_tree), which read them already."""
    metrics = {node.slug: node.metric for node in driver_root.children if node.kind == "metric"}
    detail.formula = formula_html(detail.kpi.formula, org=org, kpi_slugs=detail.linked_kpis, metrics=metrics)
    return detail


def _cumulative(org: Organization, *, kpi: Kpi, values: dict, forecast: ForecastRow | None,
                today: date | None) -> dict | None:
    """The running quarter's cumulative value against the straight line from 0 to its target.

    Only for flows (amounts and counts whose months add up to the quarter: revenue, orders…); a stock
    such as net cash does not accumulate. The months and the quarter to date come with the page's series
    (`values`, by (grain, start)).
    """
    if kpi.unit not in (Kpi.Unit.EUR, Kpi.Unit.COUNT) or forecast is None or forecast.period is None:
        return None
    quarter = forecast.period
    today = today or timezone.localdate()
    months = periods_between(quarter.start, min(quarter.end, today), "month", org.fiscal_year_start_month)
    rows = {key: reading.value for key, reading in values.items()}
    target = forecast.target_raw
    quarter_value = rows.get(("quarter", quarter.start))
    month_values = [rows.get(("month", m.start)) for m in months]
    if target is None or quarter_value is None or any(v is None for v in month_values):
        return None
    if abs(sum(month_values) - quarter_value) > Decimal("0.5"):
        return None  # the months do not add up to the quarter: not a flow
    points, running = [[quarter.start.isoformat(), 0.0]], Decimal(0)
    for m, v in zip(months, month_values, strict=True):
        running += v
        points.append([min(m.end, today).isoformat(), as_float(running)])
    elapsed = elapsed_fraction(quarter, today)
    path_now = target * Decimal(str(elapsed))
    label = period_label(quarter)
    summary = _("%(period)s: %(value)s so far, %(share)s of the %(target)s target, with %(elapsed)s of the "
                "period elapsed; the straight line to the target is at %(path)s today.") % {
        "period": label, "value": format_kpi_value(running, kpi.unit),
        "share": format_number(running / target if target else Decimal(0), kind="percent"),
        "target": format_kpi_value(target, kpi.unit), "elapsed": format_number(Decimal(str(elapsed)), kind="percent"),
        "path": format_kpi_value(path_now, kpi.unit)}
    return {
        "title": _("%(period)s so far, against the path to its target") % {"period": label},
        "summary": summary,
        "chart": {
            "format": chart_format(kpi.unit), "start": quarter.start.isoformat(), "end": quarter.end.isoformat(),
            "points": points,
            "path": [[quarter.start.isoformat(), 0.0], [quarter.end.isoformat(), as_float(target)]],
            "forecast": [points[-1], [quarter.end.isoformat(), as_float(forecast.raw)]]
            if forecast.raw is not None and today < quarter.end else None,
            "names": {"actual": _("Cumulative actual"), "path": _("Linear path to the target"),
                      "forecast": _("Forecast")},
        },
    }


GRAIN_ROWS = {"quarter": 8, "year": 3}


def _grain_rows(org: Organization, *, kpi: Kpi, grain: str, month: Period, dimension_value: str,
                forecasts: list, today: date | None) -> list[ValueRow]:
    """The values table by fiscal quarter or fiscal year, each compared with the one before and a year before."""
    fy = org.fiscal_year_start_month
    last = period_containing(month.start, grain, fy)
    current = selectors.current_period(org, grain=grain, today=today)
    count = GRAIN_ROWS[grain]
    first = last
    for _i in range(count - 1):
        first = first.previous()
    earliest = first.same_period_last_year() if grain == "quarter" else first.previous()
    series = selectors.kpi_series(org, kpi=kpi, grain=grain, start=earliest.start, end=last.end,
                                  dimension_value=dimension_value)
    by_start = {p.period.start: p for p in series}
    forecast = next((f for f in forecasts if f is not None and f.grain == grain), None)
    rows = []
    for point in reversed([p for p in series if p.period.start >= first.start]):
        prev = by_start.get(point.period.previous().start)
        ly = by_start.get(point.period.same_period_last_year().start)
        row = _value_row(kpi, point, label=period_label(point.period), prev=prev, ly=ly, current=current)
        _to_date_row(kpi, row, forecast)
        rows.append(row)
    return rows


def _trend(kpi: Kpi, *, series, month: Period, current: Period, forecast: ForecastRow | None,
           annotations: list) -> dict:
    """24 months up to the chosen month (or to the current month, with its forecast, when it is chosen)."""
    end = month.start
    window = [p for p in series if add_months(end, -23) <= p.period.start <= end]
    by_start = {p.period.start: p for p in series}
    actual = [as_float(p.value) for p in window]
    forecast_line = None
    if forecast is not None and window and window[-1].period == current and forecast.raw is not None:
        # The current month is still running: its actual is month-to-date, so the chart shows the
        # forecast to month end instead, dashed from the last complete month.
        actual[-1] = None
        forecast_line = [None] * len(window)
        if len(window) > 1:
            forecast_line[-2] = actual[-2]
        forecast_line[-1] = as_float(forecast.raw)
    last_year = [by_start.get(add_months(p.period.start, -12)) for p in window]
    has_targets = any(p.target is not None for p in window)
    return {
        "format": chart_format(kpi.unit),
        "periods": [p.period.start.isoformat() for p in window],
        "names": {"actual": _("Actual"), "target": _("Target"), "forecast": _("Forecast to month end"),
                  "previous_year": _("Same month last year")},
        "actual": actual,
        "target": [as_float(p.target) for p in window] if has_targets else None,
        "forecast": forecast_line,
        "previous_year": [as_float(p.value) if p else None for p in last_year],
        "annotations": [{"period": a.period_start.isoformat(), "text": a.text} for a in annotations],
    }


GRAIN_LABELS = {"month": lambda: _("This month"), "quarter": lambda: _("This quarter"),
                "year": lambda: _("This fiscal year")}


def _running_periods(org: Organization, *, today: date | None) -> dict[str, Period]:
    today = today or timezone.localdate()
    return {grain: selectors.current_period(org, grain=grain, today=today) for grain in ("month", "quarter", "year")}


def _forecasts(org: Organization, *, kpi: Kpi, periods: dict[str, Period], targets: dict,
               today: date | None) -> list[ForecastRow | None]:
    """The materialised forecasts at the end of the current month, quarter and fiscal year (`periods`), beside
    each target (`targets`, by (grain, start), read with the page's series), with the same days of the period
    before and of last year; 1 query."""
    today = today or timezone.localdate()
    out = []
    forecasts = selectors.kpi_forecasts(org, wanted={(kpi.pk, p) for p in periods.values()}, today=today)
    for grain, period in periods.items():
        t = targets.get((grain, period.start))
        target = t.value if t else None
        fc = forecasts[(kpi.pk, grain, period.start)]
        status = "no_data" if fc.is_too_early else selectors.kpi_status(
            kpi, value=fc.value, target=target, at_risk_threshold=t.threshold if t else Decimal("0.10"))
        row = ForecastRow(
            grain=grain, grain_label=GRAIN_LABELS[grain](), period_label=period_label(period),
            to_date_text=format_kpi_value(fc.actual_to_date, kpi.unit),
            forecast_text=_("Too early") if fc.is_too_early else format_kpi_value(fc.value, kpi.unit),
            target_text=format_kpi_value(target, kpi.unit),
            status=status, status_label=status_label(status),
            method=forecast_method_text(fc, kpi.unit, today=today),
            elapsed_text=format_number(Decimal(str(fc.elapsed)), kind="percent"),
            raw=None if fc.is_too_early else fc.value,
            target_raw=target, period=period, forecast=fc,
            previous_same_days_text=format_kpi_value(fc.previous_same_days, kpi.unit),
            last_year_same_days_text=format_kpi_value(fc.last_year_same_days, kpi.unit),
            same_days=fc.basis.get("days"),
        )
        out.append(row)
    return out


def _to_date_row(kpi: Kpi, row: ValueRow, forecast: ForecastRow | None) -> None:
    """A period to date is not judged against the whole period's target, its forecast is (none when too early
    to forecast); and it is compared with the same days of the period before and of last year, said as such."""
    if not row.is_to_date or forecast is None or forecast.forecast is None:
        return
    fc = forecast.forecast
    if fc.is_too_early:
        row.status, row.status_label = "no_data", _("Too early to forecast")
    elif forecast.target_text and forecast.raw is not None:
        row.status = forecast.status
        row.status_label = _("%(status)s (forecast)") % {"status": forecast.status_label}
    if not forecast.same_days:
        return
    row.previous, row.last_year = fc.previous_same_days, fc.last_year_same_days
    row.previous_text = format_kpi_value(fc.previous_same_days, kpi.unit, precise=True)
    row.previous_delta = delta(kpi, fc.actual_to_date, fc.previous_same_days)
    row.last_year_text = format_kpi_value(fc.last_year_same_days, kpi.unit, precise=True)
    row.last_year_delta = delta(kpi, fc.actual_to_date, fc.last_year_same_days)
    row.same_days_note = ngettext("same first day", "same first %(days)s days", forecast.same_days) % {
        "days": forecast.same_days}


def _value_row(kpi: Kpi, point, *, label: str, prev, ly, current) -> ValueRow:
    """One line of a values table: the value against the period before and the same period a year before."""
    return ValueRow(
        period=point.period, label=label,
        value_text=format_kpi_value(point.value, kpi.unit, precise=True),
        reason=reason_text(point.no_value_reason) if point.value is None else "",
        target_text=format_kpi_value(point.target, kpi.unit, precise=True),
        status=point.status, status_label=value_status_label(point.status, point.value),
        previous_text=format_kpi_value(prev.value if prev else None, kpi.unit, precise=True),
        previous_delta=delta(kpi, point.value, prev.value if prev else None),
        last_year_text=format_kpi_value(ly.value if ly else None, kpi.unit, precise=True),
        last_year_delta=delta(kpi, point.value, ly.value if ly else None),
        is_to_date=point.period == current,
        value=point.value, target=point.target, previous=prev.value if prev else None,
        last_year=ly.value if ly else None,
    )
