"""The KPI catalogue: the KPIs a member may see by category, with values, sparklines and a status heatmap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi, Metric
from kpis.periods import Period, add_months, periods_between
from kpis.presenters.common import (
    Delta,
    MonthlyTable,
    as_float,
    chart_format,
    delta,
    format_kpi_value,
    formula_html,
    kpi_name,
    month_label,
    month_options,
    monthly_table,
    reason_text,
    status_label,
    statuses,
    value_status_label,
)
from kpis.presenters.feeds import waiting_for_data


@dataclass
class KpiRow:
    kpi: Kpi
    name: str
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
    feed: str = ""  # what would feed a KPI that never had a value (kpis/presenters/feeds.py)
    target: Decimal | None = None  # as a number, for the downloaded catalogue
    # The running month's materialised forecast (home tiles): the same figure and status as the KPI page.
    forecast_text: str = ""
    forecast_status: str = ""
    forecast_status_label: str = ""


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
    waiting: list[KpiRow] = field(default_factory=list)  # KPIs with no data source yet, listed apart
    heatmap: dict = field(default_factory=dict)
    heatmap_table: dict = field(default_factory=dict)


def kpi_rows(org: Organization, *, kpis: list[Kpi], month: Period, spark_months: int = 12,
             metrics: dict[str, Metric] | None = None, with_formula: bool = True,
             forecast_month: Period | None = None,
             today: date | None = None) -> tuple[list[KpiRow], MonthlyTable]:
    """One row per KPI for `month`: value, status, change on the month before and a sparkline; with
    `forecast_month` (the running month), its materialised forecast and status too, in the same queries."""
    months = periods_between(add_months(month.start, -spark_months + 1), month.end, "month", org.fiscal_year_start_month)
    previous = month.previous()
    read = [previous, *months] if previous not in months else list(months)
    if forecast_month is not None and forecast_month not in read:
        read.append(forecast_month)
    table = monthly_table(org, kpis=kpis, months=read, with_forecasts=forecast_month is not None)
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
            kpi=kpi, name=kpi_name(kpi),
            url=reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": kpi.slug}),
            formula=formula_html(kpi.formula, org=org, kpi_slugs=slugs, metrics=metrics or {}) if with_formula else "",
            value=value,
            value_text=format_kpi_value(value, kpi.unit),
            reason=reason_text(reason) if value is None else "",
            status=status,
            status_label=value_status_label(status, value),
            target_text=format_kpi_value(target, kpi.unit), target=target,
            delta=delta(kpi, value, prev_value),
            previous_label=month_label(previous),
            spark_id=f"spark-{kpi.slug}",
            spark={"format": chart_format(kpi.unit), "periods": [m.start.isoformat() for m in months],
                   "values": spark_values},
            spark_summary=spark_summary(kpi, months, raw_values),
        ))
        if forecast_month is not None:
            _add_forecast(rows[-1], table, forecast_month, today=today or timezone.localdate())
    return rows, table


def _add_forecast(row: KpiRow, table: MonthlyTable, month: Period, *, today: date) -> None:
    kpi = row.kpi
    v = table.values.get((kpi.pk, month.start))
    if v is None:
        return
    f = selectors.forecast_of_value(v, month, today=today)
    if f.method == "":
        return
    t = table.targets.get((kpi.pk, month.start))
    if f.is_too_early:
        row.forecast_text, status = _("too early to forecast"), "no_data"
    else:
        row.forecast_text = format_kpi_value(f.value, kpi.unit)
        status = selectors.kpi_status(kpi, value=f.value, target=t.value if t else None,
                                      at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
    row.forecast_status = status
    row.forecast_status_label = status_label(status)


def catalogue_for(org: Organization, *, membership: Membership, month: Period, today: date | None = None) -> Catalogue:
    """The KPIs the member may see, grouped by category, with the month's values and a status heatmap."""
    kpis = selectors.kpi_catalogue_for(org, membership=membership)
    rows, table = kpi_rows(org, kpis=kpis, month=month)
    feeds = waiting_for_data(org, kpis=kpis)
    groups: dict[str, CategoryGroup] = {}
    waiting = []
    for row in rows:
        if row.kpi.pk in feeds:
            row.feed = feeds[row.kpi.pk]
            waiting.append(row)
            continue
        key = row.kpi.category
        if key not in groups:
            groups[key] = CategoryGroup(key=key, label=str(row.kpi.get_category_display()), rows=[])
        groups[key].rows.append(row)
    catalogue = Catalogue(month=month, period_label=month_label(month),
                          month_options=month_options(org, selected=month, today=today), groups=list(groups.values()),
                          waiting=waiting)
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
        table_rows.append({"name": kpi_name(kpi), "cells": row_cells})
    chart = {"periods": [m.start.isoformat() for m in months], "rows": [kpi_name(k) for k in with_targets],
             "statuses": statuses(), "cells": cells}
    return chart, {"months": [month_label(m, short=True) for m in months], "rows": table_rows}


