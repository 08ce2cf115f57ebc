"""Shapes KPI data for pages, panels and charts: formatting in the user's locale, chart payloads.

Reads go through kpis.selectors (the engine); this module only arranges what they return for the
templates and for static/js/charts.js, and never writes. Amounts and dates follow the active
language (French: 1 234,56 €), via Babel's CLDR data.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import parse_pattern
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi, KpiAnnotation, KpiTarget, KpiValue, Metric
from kpis.periods import Period, add_months, elapsed_fraction, period_containing, periods_between


def value_status_label(status: str, value) -> str:
    """"No target" rather than "No data" when there is a value but nothing to compare it with."""
    if status == "no_data" and value is not None:
        return _("No target")
    return status_label(status)


STATUS_LABELS = {
    "on_track": lambda: _("On track"),
    "at_risk": lambda: _("At risk"),
    "off_track": lambda: _("Off track"),
    "no_data": lambda: _("No data"),
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, STATUS_LABELS["no_data"])()


def statuses() -> dict[str, str]:
    return {key: label() for key, label in STATUS_LABELS.items()}


# --- numbers in the user's locale ---------------------------------------------------------------

def _locale() -> Locale:
    language = translation.get_language() or "en"
    try:
        return Locale.parse(translation.to_locale(language))
    except (ValueError, LookupError):
        return Locale.parse("en")


def _pattern(kind: str, loc: Locale, decimals: int):
    if kind == "currency":
        source = loc.currency_formats["standard"]
    elif kind == "percent":
        source = loc.percent_formats[None]
    else:
        source = loc.decimal_formats[None]
    pattern = copy.copy(parse_pattern(source))  # parse_pattern caches: never mutate its result
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_number(value: Decimal | float | None, *, kind: str = "decimal", decimals: int = 0) -> str:
    """`kind` is "currency" (EUR), "percent" (`value` is a ratio here: 0.25 → 25 %) or "decimal"."""
    if value is None:
        return ""
    loc = _locale()
    pattern = _pattern(kind, loc, decimals)
    if kind == "currency":
        return pattern.apply(Decimal(value), loc, currency="EUR", currency_digits=False)
    return pattern.apply(Decimal(value), loc)


UNIT_DECIMALS = {"eur": 0, "percent": 1, "days": 1, "hours": 1, "count": 0, "ratio": 2, "months": 1}


def format_kpi_value(value: Decimal | None, unit: str, *, precise: bool = False) -> str:
    """A KPI value as people read it: whole euros in overviews, cents where `precise`."""
    if value is None:
        return ""
    if unit == Kpi.Unit.EUR:  # cents matter on small amounts (a cost per unit), not on a revenue
        return format_number(value, kind="currency", decimals=2 if precise or abs(value) < 100 else 0)
    if unit == Kpi.Unit.PERCENT:  # the engine keeps percentages as numbers of percent (35.2 = 35,2 %)
        return format_number(Decimal(value) / 100, kind="percent", decimals=2 if precise else 1)
    decimals = UNIT_DECIMALS.get(unit, 2) + (1 if precise and unit != Kpi.Unit.COUNT else 0)
    number = format_number(value, decimals=decimals)
    if unit == Kpi.Unit.DAYS:
        return _("%(value)s d") % {"value": number}
    if unit == Kpi.Unit.HOURS:
        return _("%(value)s h") % {"value": number}
    if unit == Kpi.Unit.MONTHS:
        return _("%(value)s mo.") % {"value": number}
    if unit == Kpi.Unit.RATIO:
        return f"{number}×"
    return number


def chart_format(unit: str) -> dict:
    """The `format` of a chart payload: how static/js/charts.js formats this unit with Intl."""
    if unit == Kpi.Unit.EUR:
        return {"style": "currency", "currency": "EUR", "decimals": 0}
    if unit == Kpi.Unit.PERCENT:
        return {"style": "percent", "decimals": 1, "scale": 0.01}
    suffix = {
        Kpi.Unit.DAYS: " " + _("d"), Kpi.Unit.HOURS: " " + _("h"), Kpi.Unit.MONTHS: " " + _("mo."),
        Kpi.Unit.RATIO: "×",
    }.get(unit, "")
    return {"style": "decimal", "decimals": UNIT_DECIMALS.get(unit, 2), "suffix": suffix}


def as_float(value: Decimal | None) -> float | None:
    """Charts get JSON numbers; the figures people read are formatted from the Decimal, not this."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class Delta:
    """A change between two values, with its tone for this KPI's direction."""

    text: str
    tone: str  # "good" | "bad" | "flat"
    arrow: str


def delta(kpi: Kpi, current: Decimal | None, reference: Decimal | None) -> Delta | None:
    """Percentage change for amounts and counts; a difference in points for percentages."""
    if current is None or reference is None:
        return None
    diff = current - reference
    if kpi.unit == Kpi.Unit.PERCENT:
        points = diff
        text = _("%(sign)s%(value)s pt") % {"sign": "+" if points > 0 else "", "value": format_number(points, decimals=1)}
    else:
        if reference == 0:
            return None
        change = diff / abs(reference)
        text = ("+" if change > 0 else "") + format_number(change, kind="percent", decimals=1)
    if diff == 0:
        return Delta(text=text, tone="flat", arrow="→")
    better = (diff > 0) == (kpi.direction == Kpi.Direction.HIGHER)
    return Delta(text=text, tone="good" if better else "bad", arrow="↑" if diff > 0 else "↓")


# --- periods and labels ---------------------------------------------------------------------------

def month_label(period: Period, *, short: bool = False) -> str:
    """"novembre 2026" / "November 2026" (or "nov. 2026"), in the active language."""
    if short:
        return date_format(period.start, "M Y")
    return date_format(period.start, "YEAR_MONTH_FORMAT")


def period_label(period: Period) -> str:
    """"October 2026", "Q4 2026" / "T4 2026", "FY2026" / "Exercice 2025/26", in the active language."""
    if period.grain == "month":
        return month_label(period)
    fy = period.fiscal_year
    fy_text = str(fy) if period.fy_start_month == 1 else f"{fy - 1}/{fy % 100:02d}"
    if period.grain == "quarter":
        quarter = re.match(r"Q(\d)", period.label())
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter.group(1) if quarter else "?", "year": fy_text}
    return _("FY%(year)s") % {"year": fy_text}


def month_options(org: Organization, *, selected: Period, today: date | None = None, count: int = 24) -> list[dict]:
    """The months a page may show, newest first; the current one is marked as to date."""
    current = selectors.current_period(org, today=today)
    options, p = [], current
    for _i in range(count):
        label = month_label(p)
        if p == current:
            label = _("%(month)s (to date)") % {"month": label}
        options.append({"value": p.start.strftime("%Y-%m"), "label": label, "selected": p.start == selected.start})
        p = p.previous()
    return options


def parse_month(org: Organization, value: str | None, *, today: date | None = None,
                default_current: bool = False) -> Period:
    """`?month=2026-10` → that month; anything else → the last complete month (or the running one)."""
    current = selectors.current_period(org, today=today)
    if value:
        try:
            year, month = (int(x) for x in value.split("-", 1))
            chosen = period_containing(date(year, month, 1), "month", org.fiscal_year_start_month)
            return min(chosen, current)
        except ValueError:
            pass
    return current if default_current else current.previous()


# --- values of many KPIs over a few months, in a fixed number of queries -----------------------------

@dataclass
class MonthlyTable:
    """Materialised monthly values and targets of several KPIs; 2 queries whatever their number."""

    months: list[Period]
    values: dict[tuple[int, date], KpiValue]
    targets: dict[tuple[int, date], KpiTarget]

    def point(self, kpi: Kpi, month: Period) -> tuple[Decimal | None, str, Decimal | None, str]:
        """(value, no-value reason, target, status) of one KPI in one month."""
        v = self.values.get((kpi.pk, month.start))
        t = self.targets.get((kpi.pk, month.start))
        value = v.value if v else None
        reason = "" if value is not None else (v.no_value_reason if v else "")
        target = t.value if t else None
        status = selectors.kpi_status(kpi, value=value, target=target,
                                      at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
        return value, reason, target, status


def monthly_table(org: Organization, *, kpis: list[Kpi], months: list[Period]) -> MonthlyTable:
    if not kpis or not months:
        return MonthlyTable(months=months, values={}, targets={})
    starts = [m.start for m in months]
    ids = [k.pk for k in kpis]
    values = KpiValue.objects.for_org(org).filter(
        kpi_id__in=ids, grain="month", dimension_value="", period_start__in=starts
    ).only("kpi_id", "period_start", "value", "no_value_reason")
    targets = KpiTarget.objects.for_org(org).filter(kpi_id__in=ids, grain="month", period_start__in=starts)
    return MonthlyTable(
        months=months,
        values={(v.kpi_id, v.period_start): v for v in values},
        targets={(t.kpi_id, t.period_start): t for t in targets},
    )


def reason_text(reason: str) -> str:
    """The engine's no-value reason, or a plain "no data yet"."""
    return reason or _("No data yet")


# --- formulas as people read them ------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FUNCTIONS = {"min", "max", "abs", "if"}


def formula_html(formula: str, *, org: Organization, kpi_slugs: set[str], metrics: dict[str, Metric]) -> str:
    """The exact formula, with each KPI reference linked to its page and each metric named on hover."""
    out, last = [], 0
    for match in _IDENTIFIER.finditer(formula):
        out.append(escape(formula[last:match.start()]))
        word = match.group(0)
        if word in kpi_slugs:
            href = reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": word})
            out.append(format_html('<a href="{}">{}</a>', href, word))
        elif word in metrics:
            out.append(format_html('<abbr title="{}">{}</abbr>', metrics[word].name, word))
        else:
            out.append(escape(word))
        last = match.end()
    out.append(escape(formula[last:]))
    return mark_safe("".join(str(part) for part in out))  # every piece above is escaped


# --- the catalogue ------------------------------------------------------------------------------

@dataclass
class KpiRow:
    kpi: Kpi
    url: str
    formula: str
    value: Decimal | None
    value_text: str
    reason: str
    status: str
    status_label: str
    target_text: str
    delta: Delta | None
    previous_label: str
    spark_id: str
    spark: dict
    spark_summary: str = ""


def spark_summary(kpi: Kpi, months: list[Period], values: list[Decimal | None]) -> str:
    """The sparkline in words, for screen readers: its lowest and highest month."""
    points = [(v, m) for v, m in zip(values, months, strict=True) if v is not None]
    if not points:
        return _("No value in the last 12 months.")
    low, high = min(points, key=lambda p: p[0]), max(points, key=lambda p: p[0])
    return _("Last 12 months: lowest %(low)s in %(low_month)s, highest %(high)s in %(high_month)s.") % {
        "low": format_kpi_value(low[0], kpi.unit), "low_month": month_label(low[1]),
        "high": format_kpi_value(high[0], kpi.unit), "high_month": month_label(high[1])}


@dataclass
class CategoryGroup:
    key: str
    label: str
    rows: list[KpiRow]


@dataclass
class Catalogue:
    month: Period
    period_label: str
    month_options: list[dict]
    groups: list[CategoryGroup]
    heatmap: dict = field(default_factory=dict)
    heatmap_table: dict = field(default_factory=dict)


def kpi_rows(org: Organization, *, kpis: list[Kpi], month: Period, spark_months: int = 12,
             metrics: dict[str, Metric] | None = None, with_formula: bool = True) -> tuple[list[KpiRow], MonthlyTable]:
    """One row per KPI for `month`: value, status, change on the month before and a sparkline."""
    months = periods_between(add_months(month.start, -spark_months + 1), month.end, "month", org.fiscal_year_start_month)
    previous = month.previous()
    table = monthly_table(org, kpis=kpis, months=[previous, *months] if previous not in months else months)
    slugs = {k.slug for k in kpis}
    if with_formula and metrics is None:
        metrics = {m.slug: m for m in selectors.metrics_of(org)}
    rows = []
    for kpi in kpis:
        value, reason, target, status = table.point(kpi, month)
        prev_value = table.point(kpi, previous)[0]
        raw_values = [table.point(kpi, m)[0] for m in months]
        spark_values = [as_float(v) for v in raw_values]
        rows.append(KpiRow(
            kpi=kpi,
            url=reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": kpi.slug}),
            formula=formula_html(kpi.formula, org=org, kpi_slugs=slugs, metrics=metrics or {}) if with_formula else "",
            value=value,
            value_text=format_kpi_value(value, kpi.unit),
            reason=reason_text(reason) if value is None else "",
            status=status,
            status_label=value_status_label(status, value),
            target_text=format_kpi_value(target, kpi.unit),
            delta=delta(kpi, value, prev_value),
            previous_label=month_label(previous),
            spark_id=f"spark-{kpi.slug}",
            spark={"format": chart_format(kpi.unit), "periods": [m.start.isoformat() for m in months],
                   "values": spark_values},
            spark_summary=spark_summary(kpi, months, raw_values),
        ))
    return rows, table


def catalogue_for(org: Organization, *, membership: Membership, month: Period, today: date | None = None) -> Catalogue:
    """The KPIs the member may see, grouped by category, with the month's values and a status heatmap."""
    kpis = selectors.kpi_catalogue_for(org, membership=membership)
    rows, table = kpi_rows(org, kpis=kpis, month=month)
    groups: dict[str, CategoryGroup] = {}
    for row in rows:
        key = row.kpi.category
        if key not in groups:
            groups[key] = CategoryGroup(key=key, label=str(row.kpi.get_category_display()), rows=[])
        groups[key].rows.append(row)
    catalogue = Catalogue(month=month, period_label=month_label(month),
                          month_options=month_options(org, selected=month, today=today), groups=list(groups.values()))
    heatmap_months = [m for m in table.months if m.start >= add_months(month.start, -11)]
    catalogue.heatmap, catalogue.heatmap_table = _heatmap(kpis, table, heatmap_months)
    return catalogue


def _heatmap(kpis: list[Kpi], table: MonthlyTable, months: list[Period]) -> tuple[dict, dict]:
    """KPI × month by status, for the KPIs that have at least one target in those months."""
    with_targets = [k for k in kpis if any((k.pk, m.start) in table.targets for m in months)]
    cells, table_rows = [], []
    for y, kpi in enumerate(with_targets):
        row_cells = []
        for x, m in enumerate(months):
            value, _reason, _target, status = table.point(kpi, m)
            shown = format_kpi_value(value, kpi.unit)
            label = value_status_label(status, value)
            cells.append({"x": x, "y": y, "status": status, "value": shown, "label": label})
            row_cells.append({"status": status, "label": label, "value": shown})
        table_rows.append({"name": kpi.name, "cells": row_cells})
    chart = {"periods": [m.start.isoformat() for m in months], "rows": [k.name for k in with_targets],
             "statuses": statuses(), "cells": cells}
    return chart, {"months": [month_label(m, short=True) for m in months], "rows": table_rows}


# --- the KPI detail page --------------------------------------------------------------------------

def can_see(membership: Membership, kpi: Kpi) -> bool:
    try:
        return membership.can(kpi.visibility_capability)
    except KeyError:
        return False


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


@dataclass
class KpiDetail:
    kpi: Kpi
    formula: str
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


def kpi_detail_for(org: Organization, *, kpi: Kpi, membership: Membership, month: Period,
                   dimension_value: str = "", grain: str = "month", today: date | None = None) -> KpiDetail:
    """Trend (24 months), values table, forecasts to period end and annotations; a fixed number of queries."""
    current = selectors.current_period(org, today=today)
    last = max(month, current)
    # 12 months shown in the table, each compared with the year before: 24 months + the one before.
    first = add_months(month.start, -24)
    series = selectors.kpi_series(org, kpi=kpi, grain="month", start=first, end=last.end,
                                  dimension_value=dimension_value)
    by_start = {p.period.start: p for p in series}
    metrics = {m.slug: m for m in selectors.metrics_of(org)}
    # Only KPIs the member may see are linked; the formula itself is always shown exactly.
    kpi_slugs = {k.slug for k in Kpi.objects.for_org(org).only("slug", "visibility_capability")
                 if can_see(membership, k)}

    def row(point) -> ValueRow:
        prev = by_start.get(point.period.previous().start)
        ly = by_start.get(add_months(point.period.start, -12))
        return ValueRow(
            period=point.period, label=month_label(point.period),
            value_text=format_kpi_value(point.value, kpi.unit, precise=True),
            reason=reason_text(point.no_value_reason) if point.value is None else "",
            target_text=format_kpi_value(point.target, kpi.unit, precise=True),
            status=point.status, status_label=value_status_label(point.status, point.value),
            previous_text=format_kpi_value(prev.value if prev else None, kpi.unit, precise=True),
            previous_delta=delta(kpi, point.value, prev.value if prev else None),
            last_year_text=format_kpi_value(ly.value if ly else None, kpi.unit, precise=True),
            last_year_delta=delta(kpi, point.value, ly.value if ly else None),
            is_to_date=point.period == current,
        )

    shown = [p for p in series if add_months(month.start, -11) <= p.period.start <= month.start]
    rows = [row(p) for p in reversed(shown)]
    forecasts = _forecasts(org, kpi=kpi, today=today)
    month_forecast = forecasts[0] if forecasts else None
    for r in rows:
        if r.is_to_date and month_forecast is not None and month_forecast.target_text and month_forecast.raw is not None:
            # A month to date is not judged against the whole month's target: its forecast is.
            r.status = month_forecast.status
            r.status_label = _("%(status)s (forecast)") % {"status": month_forecast.status_label}
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
                          "values": [as_float(v) for _n, v in parts], "name": kpi.name},
                "rows": [(n, format_kpi_value(v, kpi.unit, precise=True)) for n, v in parts],
            }
    cumulative = None
    if not dimension_value:
        cumulative = _cumulative(org, kpi=kpi, forecast=next(
            (f for f in forecasts if f is not None and f.grain == "quarter"), None), today=today)
    table_rows = rows
    if grain in ("quarter", "year"):
        table_rows = _grain_rows(org, kpi=kpi, grain=grain, month=month, dimension_value=dimension_value,
                                 forecasts=forecasts, today=today)
    return KpiDetail(
        breakdown=breakdown, cumulative=cumulative, grain=grain if grain in ("quarter", "year") else "month", table_rows=table_rows,
        kpi=kpi, formula=formula_html(kpi.formula, org=org, kpi_slugs=kpi_slugs, metrics=metrics),
        month=month, current=current, dimension_value=dimension_value,
        dimension_values=selectors.kpi_dimension_values(org, kpi=kpi) if kpi.dimension_label else [],
        month_options=month_options(org, selected=month, today=today),
        headline=headline, rows=rows, trend=trend, forecasts=[f for f in forecasts if f is not None],
        annotations=annotations,
    )


def _cumulative(org: Organization, *, kpi: Kpi, forecast: ForecastRow | None, today: date | None) -> dict | None:
    """The running quarter's cumulative value against the straight line from 0 to its target.

    Only for flows (amounts and counts whose months add up to the quarter: revenue, orders…); a stock
    such as net cash does not accumulate. One query for the months and the quarter to date.
    """
    if kpi.unit not in (Kpi.Unit.EUR, Kpi.Unit.COUNT) or forecast is None or forecast.period is None:
        return None
    quarter = forecast.period
    today = today or timezone.localdate()
    months = periods_between(quarter.start, min(quarter.end, today), "month", org.fiscal_year_start_month)
    rows = {(v.grain, v.period_start): v.value for v in KpiValue.objects.for_org(org).filter(
        Q(grain="month", period_start__in=[m.start for m in months]) | Q(grain="quarter", period_start=quarter.start),
        kpi=kpi, dimension_value="").only("grain", "period_start", "value")}
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
        row = ValueRow(
            period=point.period, label=period_label(point.period),
            value_text=format_kpi_value(point.value, kpi.unit, precise=True),
            reason=reason_text(point.no_value_reason) if point.value is None else "",
            target_text=format_kpi_value(point.target, kpi.unit, precise=True),
            status=point.status, status_label=value_status_label(point.status, point.value),
            previous_text=format_kpi_value(prev.value if prev else None, kpi.unit, precise=True),
            previous_delta=delta(kpi, point.value, prev.value if prev else None),
            last_year_text=format_kpi_value(ly.value if ly else None, kpi.unit, precise=True),
            last_year_delta=delta(kpi, point.value, ly.value if ly else None),
            is_to_date=point.period == current,
        )
        if row.is_to_date and forecast is not None and forecast.target_text and forecast.raw is not None:
            row.status = forecast.status
            row.status_label = _("%(status)s (forecast)") % {"status": forecast.status_label}
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


def _forecasts(org: Organization, *, kpi: Kpi, today: date | None) -> list[ForecastRow | None]:
    """Forecast at the end of the current month, quarter and fiscal year, beside each target."""
    out = []
    periods = {grain: selectors.current_period(org, grain=grain, today=today) for grain in ("month", "quarter", "year")}
    wanted = Q()
    for grain, period in periods.items():
        wanted |= Q(grain=grain, period_start=period.start)
    targets = {(t.grain, t.period_start): t for t in KpiTarget.objects.for_org(org).filter(wanted, kpi=kpi)}
    for grain, period in periods.items():
        t = targets.get((grain, period.start))
        target = t.value if t else None
        fc = selectors.kpi_forecast(org, kpi=kpi, period=period, today=today)
        status = selectors.kpi_status(kpi, value=fc.value, target=target,
                                      at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
        row = ForecastRow(
            grain=grain, grain_label=GRAIN_LABELS[grain](), period_label=period_label(period),
            to_date_text=format_kpi_value(fc.actual_to_date, kpi.unit),
            forecast_text=format_kpi_value(fc.value, kpi.unit),
            target_text=format_kpi_value(target, kpi.unit),
            status=status, status_label=status_label(status), method=fc.method,
            elapsed_text=format_number(Decimal(str(fc.elapsed)), kind="percent"), raw=fc.value,
            target_raw=target, period=period,
        )
        out.append(row)
    return out


# --- driver tree and what-if ------------------------------------------------------------------------

@dataclass
class DriverView:
    slug: str
    name: str
    kind: str  # "kpi" | "metric" | "unknown"
    formula: str
    value_text: str
    url: str
    is_hidden: bool
    children: list[DriverView] = field(default_factory=list)


@dataclass
class DriverTree:
    root: DriverView
    choices: list[tuple[str, str]]  # (slug, label) of the drivers a what-if may move
    engine_root: object = None  # the engine's DriverNode, reused for the lineage's metric list


def drivers_for(org: Organization, *, kpi: Kpi, membership: Membership, month: Period,
                dimension_value: str = "") -> DriverTree:
    """The KPI's driver tree with each node's value for `month`; KPIs the member may not see stay closed."""
    root = selectors.driver_tree(org, kpi=kpi)
    kpi_nodes: dict[str, object] = {}

    def collect(node) -> None:
        if node.kind == "kpi":
            kpi_nodes[node.slug] = node
        for child in node.children:
            collect(child)

    collect(root)
    readings = {
        row["kpi__slug"]: row
        for row in KpiValue.objects.for_org(org).filter(
            kpi__slug__in=list(kpi_nodes), grain="month", period_start=month.start, dimension_value=dimension_value,
        ).values("kpi__slug", "value", "inputs", "no_value_reason")
    }
    units = {slug: (node.kpi.unit if node.kpi else None) for slug, node in kpi_nodes.items()}
    choices: dict[str, str] = {}

    def view(node, parent_inputs: dict, depth: int) -> DriverView:
        hidden = node.kind == "kpi" and node.kpi is not None and not can_see(membership, node.kpi)
        if node.kind == "kpi":
            reading = readings.get(node.slug) or {}
            value = reading.get("value")
            text = "" if hidden else format_kpi_value(value, units.get(node.slug) or Kpi.Unit.COUNT)
            inputs = reading.get("inputs") or {}
            url = "" if hidden else reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": node.slug})
        else:
            raw = (parent_inputs.get("metrics") or {}).get(node.slug)
            text = format_number(Decimal(raw), decimals=2) if raw not in (None, "") else ""
            inputs, url = {}, ""
        if depth > 0 and not hidden:
            kind_label = _("KPI") if node.kind == "kpi" else _("metric")
            choices.setdefault(node.slug, f"{node.name} ({kind_label})")
        children = [] if hidden else [view(child, inputs, depth + 1) for child in node.children]
        return DriverView(slug=node.slug, name=node.name, kind=node.kind, formula="" if hidden else node.formula,
                          value_text=text, url=url, is_hidden=hidden, children=children)

    tree = view(root, {}, 0)
    return DriverTree(root=tree, choices=sorted(choices.items(), key=lambda c: c[1].lower()), engine_root=root)


@dataclass
class WhatIfRow:
    kpi: Kpi
    url: str
    before_text: str
    after_text: str
    delta: Delta | None
    is_changed: bool


def what_if_rows(org: Organization, *, membership: Membership,
                 results: dict[str, tuple[Decimal | None, Decimal | None]]) -> list[WhatIfRow]:
    """The engine's {slug: (before, after)} as rows, only for KPIs the member may see; 1 query."""
    kpis = {k.slug: k for k in Kpi.objects.for_org(org).filter(slug__in=list(results))}
    rows = []
    for slug, (before, after) in results.items():
        kpi = kpis.get(slug)
        if kpi is None or not can_see(membership, kpi):
            continue
        rows.append(WhatIfRow(
            kpi=kpi, url=reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": slug}),
            before_text=format_kpi_value(before, kpi.unit, precise=True),
            after_text=format_kpi_value(after, kpi.unit, precise=True),
            delta=delta(kpi, after, before), is_changed=before != after,
        ))
    rows.sort(key=lambda r: (not r.is_changed, r.kpi.category, r.kpi.sort_order, r.kpi.slug))
    return rows


# --- lineage: the canonical records behind a value ------------------------------------------------------

LINEAGE_COLUMNS: dict[str, list[tuple[str, object]]] = {
    "invoice": [("number", _l("Number")), ("kind", _l("Kind")), ("issue_date", _l("Issued")),
                ("due_date", _l("Due")), ("paid_date", _l("Paid")), ("amount_excl_tax", _l("Excl. VAT")),
                ("amount_incl_tax", _l("Incl. VAT")), ("remaining_amount_incl_tax", _l("Still due"))],
    "payment": [("date", _l("Date")), ("amount", _l("Amount"))],
    "ledgerline": [("date", _l("Date")), ("account_number", _l("Account")), ("journal", _l("Journal")),
                   ("label", _l("Label")), ("debit", _l("Debit")), ("credit", _l("Credit"))],
    "banktransaction": [("date", _l("Date")), ("label", _l("Label")), ("amount", _l("Amount"))],
    "customer": [("name", _l("Name")), ("segment", _l("Segment")), ("acquired_on", _l("Acquired")),
                 ("churned_on", _l("Churned"))],
    "contact": [("name", _l("Name")), ("lifecycle_stage", _l("Stage")), ("source_channel", _l("Channel")),
                ("created_on", _l("Created"))],
    "deal": [("name", _l("Deal")), ("pipeline", _l("Pipeline")), ("stage", _l("Stage")),
             ("created_on", _l("Created")), ("close_date", _l("Close date")), ("is_won", _l("Won")),
             ("amount", _l("Amount"))],
    "lead": [("created_on", _l("Created")), ("source_channel", _l("Channel")), ("converted_on", _l("Converted"))],
    "subscription": [("plan", _l("Plan")), ("started_on", _l("Started")), ("ended_on", _l("Ended")),
                     ("mrr", _l("MRR"))],
    "order": [("number", _l("Order")), ("channel", _l("Channel")), ("placed_at", _l("Placed")),
              ("shipped_at", _l("Shipped")), ("promised_on", _l("Promised")), ("delivered_on", _l("Delivered")),
              ("units", _l("Units")), ("amount_excl_tax", _l("Excl. VAT"))],
    "return": [("returned_on", _l("Returned")), ("units", _l("Units")), ("amount", _l("Amount"))],
    "marketingspend": [("date", _l("Date")), ("channel", _l("Channel")), ("amount", _l("Amount"))],
    "operationalvalue": [("series", _l("Series")), ("date", _l("Date")), ("dimension", _l("Dimension")),
                         ("value", _l("Value"))],
}


def _cell(record, name: str) -> tuple[str, bool]:
    """(text, is_numeric) of one field of a canonical record, in the user's locale."""
    value = getattr(record, name, None)
    if value is None or value == "":
        return "", False
    try:
        model_field = record._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), False
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"), False
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT"), False
    if isinstance(value, Decimal):
        is_money = getattr(model_field, "decimal_places", None) == 2
        return format_number(value, kind="currency" if is_money else "decimal", decimals=2), True
    if isinstance(value, int):
        return format_number(value), True
    if model_field is not None and getattr(model_field, "choices", None):
        return str(getattr(record, f"get_{name}_display")()), False
    return str(value), False


@dataclass
class LineageView:
    metric_slug: str
    metric_name: str
    metric_description: str
    record_type_label: str
    period_label: str
    columns: list[str]
    rows: list[dict]
    total: int
    page: int
    pages: int
    has_next: bool
    has_previous: bool
    first_index: int
    last_index: int


def lineage_view(page) -> LineageView:
    """One page of the records behind one metric, as table rows."""
    metric = page.metric
    columns = LINEAGE_COLUMNS.get(metric.record_type, [])
    rows = []
    for record in page.records:
        cells = [_cell(record, name) for name, _label in columns]
        rows.append({"source": record.get_source_display(), "external_id": record.external_id,
                     "is_deleted": getattr(record, "is_deleted", False), "cells": cells})
    pages = max(1, -(-page.total // page.page_size))
    first = (page.page - 1) * page.page_size + 1 if page.total else 0
    return LineageView(
        metric_slug=metric.slug, metric_name=metric.name, metric_description=metric.description,
        record_type_label=str(metric.get_record_type_display()), period_label=period_label(page.period),
        columns=[str(label) for _name, label in columns], rows=rows, total=page.total, page=page.page,
        pages=pages, has_next=page.has_next, has_previous=page.page > 1,
        first_index=first, last_index=first + len(rows) - 1 if rows else 0,
    )


@dataclass
class Lineage:
    month_value: str
    month_options: list[dict]
    dimension_value: str
    metric_slug: str
    metric_choices: list[tuple[str, str]]
    metric_value_text: str
    view: LineageView | None


def metric_choices(root) -> list[tuple[str, str]]:
    """Every metric in the KPI's driver tree (the records behind sub-KPIs too), in reading order."""
    seen: dict[str, str] = {}

    def walk(node) -> None:
        if node.kind == "metric":
            seen.setdefault(node.slug, node.name)
        for child in node.children:
            walk(child)

    walk(root)
    return list(seen.items())


def lineage_for(org: Organization, *, kpi: Kpi, month: Period, metric_slug: str, page: int,
                dimension_value: str = "", page_size: int = 25, today: date | None = None, root=None) -> Lineage:
    """The records behind one metric of the KPI for one month, one page at a time."""
    root = root or selectors.driver_tree(org, kpi=kpi)
    choices = metric_choices(root)
    slugs = [slug for slug, _name in choices]
    if metric_slug not in slugs:
        metric_slug = slugs[0] if slugs else ""
    view = None
    value_text = ""
    if metric_slug:
        pages = selectors.kpi_lineage(org, kpi=kpi, period=month, dimension_value=dimension_value,
                                      metric_slug=metric_slug, page=max(1, page), page_size=page_size)
        if pages:
            view = lineage_view(pages[0])
            reading = selectors.kpi_value_for_period(org, kpi=kpi, period=month, dimension_value=dimension_value)
            raw = (reading.inputs.get("metrics") or {}).get(metric_slug)
            if raw not in (None, ""):
                value_text = format_number(Decimal(raw), decimals=2)
    return Lineage(month_value=month.start.strftime("%Y-%m"),
                   month_options=month_options(org, selected=month, today=today),
                   dimension_value=dimension_value, metric_slug=metric_slug, metric_choices=choices,
                   metric_value_text=value_text, view=view)


# --- the formula editor's live check ----------------------------------------------------------------------

@dataclass
class FormulaCheck:
    formula: str
    error: str = ""
    position: int | None = None
    caret: tuple[str, str, str] = ("", "", "")  # text before, at and after the error position
    references: list[dict] = field(default_factory=list)
    cycle: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    # The capability the new KPI needs at least, when it reads restricted KPIs (directly or not).
    required_visibility: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.formula.strip()

    @property
    def is_valid(self) -> bool:
        return not self.is_empty and not self.error


def _caret(text: str, position: int | None) -> tuple[str, str, str]:
    if position is None:
        return ("", "", "")
    position = max(0, min(position, len(text)))
    at = text[position:position + 1] or " "
    return (text[:position], at, text[position + 1:])


def formula_check(org: Organization, *, formula: str, membership: Membership, slug: str = "",
                  unit: str = Kpi.Unit.EUR, today: date | None = None, preview_months: int = 6) -> FormulaCheck:
    """Parse the formula, name each reference, refuse unknown ones and cycles, and preview recent values.

    KPIs the member may not see count as unknown, so the editor never reveals them. Nothing is saved.
    """
    from kpis.engine.formula import (
        FormulaError,
        NoValue,
        evaluate,
        find_cycle,
        parse,
        reference_positions,
        references,
    )

    check = FormulaCheck(formula=formula)
    if check.is_empty:
        return check
    try:
        node = parse(formula)
    except FormulaError as exc:
        check.error, check.position = translate_formula_error(exc.message), exc.position
        check.caret = _caret(formula, exc.position)
        return check

    kpis = {k.slug: k for k in Kpi.objects.for_org(org).only(
        "slug", "name", "formula", "unit", "visibility_capability")}
    metrics = {m.slug: m for m in selectors.metrics_of(org)}
    visible = {s: k for s, k in kpis.items() if can_see(membership, k) and s != slug}
    seen: set[str] = set()
    for name, pos in reference_positions(node):
        if name in seen:
            continue
        seen.add(name)
        if name == slug and slug:
            check.references.append({"slug": name, "name": _("this KPI"), "kind": "self", "known": True})
            continue
        if name in visible:
            check.references.append({"slug": name, "name": visible[name].name, "kind": "kpi", "known": True})
        elif name in metrics:
            check.references.append({"slug": name, "name": metrics[name].name, "kind": "metric", "known": True})
        else:
            check.references.append({"slug": name, "name": "", "kind": "unknown", "known": False})
            if not check.error:
                check.error = _("Unknown metric or KPI “%(name)s”.") % {"name": name}
                check.position = pos
                check.caret = _caret(formula, pos)
    if check.error:
        return check

    own = slug or "__new_kpi__"
    graph: dict[str, set[str]] = {}
    for k in kpis.values():
        try:
            graph[k.slug] = references(parse(k.formula))
        except FormulaError:
            graph[k.slug] = set()
    graph[own] = references(node)
    cycle = find_cycle({s: {r for r in reads if r in graph} for s, reads in graph.items()})
    if cycle and own in cycle:
        loop = cycle[:-1]  # [a, b, a] → read it from the KPI being edited: [own, …, own]
        start = loop.index(own)
        loop = [*loop[start:], *loop[:start], own]
        check.cycle = [kpis[s].name if s in kpis else _("this KPI") for s in loop]
        check.error = _("Circular reference: %(path)s. A KPI cannot depend on itself.") % {
            "path": " → ".join(check.cycle)}
        return check

    closure, todo = set(), [r for r in graph[own] if r in kpis]
    while todo:
        name = todo.pop()
        if name not in closure:
            closure.add(name)
            todo.extend(r for r in graph.get(name, ()) if r in kpis)
    restricted = sorted({kpis[s].visibility_capability for s in closure} - {"kpis.view"})
    check.required_visibility = restricted[0] if restricted else ""

    # Preview on materialised figures: referenced KPIs' values, and metric values as KPIs recorded them.
    current = selectors.current_period(org, today=today)
    months = [current]
    for _i in range(preview_months - 1):
        months.insert(0, months[0].previous())
    starts = [m.start for m in months]
    env_by_month: dict[date, dict] = {s: {} for s in starts}
    rows = KpiValue.objects.for_org(org).filter(grain="month", dimension_value="", period_start__in=starts) \
        .values_list("kpi__slug", "period_start", "value", "no_value_reason", "inputs")
    for kpi_slug, start, value, reason, inputs in rows:
        env = env_by_month[start]
        env[kpi_slug] = value if value is not None else NoValue(reason or "no value")
        for metric_slug, raw in ((inputs or {}).get("metrics") or {}).items():
            if metric_slug not in env or isinstance(env[metric_slug], NoValue):
                env[metric_slug] = Decimal(raw) if raw not in (None, "") else NoValue("no value")
    targets = {(t.kpi.slug, t.period_start): t.value for t in KpiTarget.objects.for_org(org).filter(
        grain="month", period_start__in=starts).select_related("kpi")}
    for month in reversed(months):
        env = {name: v for name, v in env_by_month[month.start].items() if name not in kpis or name in visible}
        month_targets = {s: v for (s, start), v in targets.items() if start == month.start}
        result = evaluate(node, env, targets=month_targets, period_days=month.days, period_months=1)
        is_value = not isinstance(result, NoValue)
        label = month_label(month)
        if month == current:
            label = _("%(month)s (to date)") % {"month": label}
        check.preview.append({
            "label": label,
            "value_text": format_kpi_value(result, unit, precise=True) if is_value else "",
            "reason": "" if is_value else result.reason,
        })
    return check


def translate_formula_error(message: str) -> str:
    """The engine's parse messages are English; the ones it has today are shown in the user's language."""
    known = [
        (r"Unexpected character '(?P<a>.*)'", lambda m: _("Unexpected character “%(a)s”.") % m),
        (r"Unexpected '(?P<a>.*)'", lambda m: _("Unexpected “%(a)s”.") % m),
        (r"Expected '(?P<a>.*)', found (?P<b>.*)", lambda m: _("Expected “%(a)s”, found %(b)s.") % m),
        (r"The formula is empty", lambda m: _("The formula is empty.")),
        (r"The formula ends too early", lambda m: _("The formula ends too early.")),
        (r"Comparisons cannot be chained", lambda m: _("Comparisons cannot be chained.")),
        (r"(?P<a>\w+)\(\) is a function: add its arguments in parentheses",
         lambda m: _("%(a)s() is a function: add its arguments in parentheses.") % m),
        (r"Unknown function '(?P<a>[^']*)' \(allowed: (?P<b>.*)\)",
         lambda m: _("Unknown function “%(a)s” (allowed: %(b)s).") % m),
        (r"(?P<a>\w+)\(\) takes (?P<b>.*) argument\(s\), got (?P<c>\d+)",
         lambda m: _("%(a)s() takes %(b)s argument(s), got %(c)s.") % m),
        (r"target\(\) takes a KPI slug", lambda m: _("target() takes the reference of a KPI.")),
        (r"Unknown metric or KPI '(?P<a>.*)'", lambda m: _("Unknown metric or KPI “%(a)s”.") % m),
    ]
    for pattern, text in known:
        match = re.fullmatch(pattern, message)
        if match:
            return text(match.groupdict())
    return message


def reference_help(org: Organization, *, membership: Membership, exclude: str = "") -> dict:
    """What a formula may refer to: the metrics, and the KPIs the member may see; 2 queries."""
    kpis = [k for k in Kpi.objects.for_org(org).filter(is_active=True).only(
        "slug", "name", "visibility_capability", "category", "sort_order") if can_see(membership, k)
        and k.slug != exclude]
    return {"kpis": [(k.slug, k.name) for k in kpis],
            "metrics": [(m.slug, m.name, str(m.get_record_type_display())) for m in selectors.metrics_of(org)]}


def lineage_record_data(record, record_type: str) -> dict:
    """A canonical record for the API: the fields that matter for its type, JSON-friendly (amounts as strings)."""
    data = {}
    for name, _label in LINEAGE_COLUMNS.get(record_type, []):
        value = getattr(record, name, None)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[name] = value
    return {"id": record.pk, "source": record.source, "external_id": record.external_id,
            "is_deleted": getattr(record, "is_deleted", False), "fields": data}


# --- the home page panel ------------------------------------------------------------------------------

# Per role, the KPIs worth a glance, best first (PRODUCT.md, "What each person sees"). The panel shows
# the first ones that have a value, skipping those the role may not see.
HOME_KPIS: dict[str, list[str]] = {
    "ceo": ["revenue", "gross_margin_pct", "ebe", "net_cash", "runway_months", "mrr", "net_result"],
    "cfo": ["gross_margin_pct", "ebe", "net_cash", "dso", "late_invoices_amount", "budget_variance",
            "cash_burn", "revenue"],
    "coo": ["order_processing_mean", "on_time_delivery", "return_rate", "capacity_utilisation", "throughput",
            "cost_per_unit", "delivery_delay", "return_cost"],
    "cro": ["mrr", "pipeline_coverage", "lead_conversion_rate", "win_rate", "cac", "ltv_cac", "churn_rate",
            "nrr", "revenue"],
    "viewer": ["revenue", "mrr", "on_time_delivery", "return_rate", "net_cash"],
}
AGEING = [("late_0_30", _l("0–30 days")), ("late_31_60", _l("31–60 days")), ("late_61_90", _l("61–90 days")),
          ("late_over_90", _l("over 90 days"))]
MAX_TILES = 6


def home_panel_for(membership: Membership, *, today: date | None = None) -> dict | None:
    """3–6 KPI tiles for the member's role, and the receivables ageing for whoever sees the CFO's view."""
    slugs = HOME_KPIS.get(membership.role)
    if not slugs:
        return None
    org = membership.organization
    wants_ageing = membership.role == "cfo"
    wanted = slugs + ([s for s, _label in AGEING] if wants_ageing else [])
    found = {k.slug: k for k in Kpi.objects.for_org(org).filter(slug__in=wanted, is_active=True)
             if can_see(membership, k)}
    kpis = [found[s] for s in slugs if s in found]
    ageing_kpis = [found[s] for s, _label in AGEING if s in found]
    if not kpis:
        return None
    month = selectors.current_period(org, today=today).previous()
    rows, _table = kpi_rows(org, kpis=kpis + ageing_kpis, month=month, with_formula=False)
    by_slug = {r.kpi.slug: r for r in rows}
    tiles = [by_slug[k.slug] for k in kpis if by_slug[k.slug].value is not None][:MAX_TILES]
    if not tiles:
        tiles = [by_slug[k.slug] for k in kpis][:4]
    panel = {"month_label": month_label(month), "tiles": tiles, "ageing": None}
    if ageing_kpis:
        values = [(str(label), by_slug[s].value) for s, label in AGEING if s in by_slug]
        if any(v for _label, v in values):  # all zero: nothing is past due, no chart to draw
            panel["ageing"] = {
                "chart": {"format": chart_format(Kpi.Unit.EUR), "labels": [label for label, _v in values],
                          "values": [as_float(v) for _label, v in values], "name": _("Receivables past due")},
                "rows": [(label, format_kpi_value(v, Kpi.Unit.EUR)) for label, v in values],
            }
    return panel
