"""Forecast, driver tree, what-if and lineage: reads built on the same metric queries as the recompute."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from kpis.engine.compute import Graph, evaluate_period
from kpis.engine.formula import NoValue
from kpis.engine.metrics import NO_DIMENSION, TOTAL, compute_metrics
from kpis.engine.records import metric_q, model_for, span_q
from kpis.models import Kpi, KpiTarget, Metric
from kpis.periods import Period, elapsed_fraction

SCALABLE = {"sum", "count"}  # flows that grow with the days elapsed


def _graph(org) -> Graph:
    return Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))


def _scalable(metric: Metric) -> bool:
    return metric.aggregation in SCALABLE and not metric.window_months


def _first(values: list):
    for v in values:
        if v.dimension_value == TOTAL:
            return v.value, v.reason
    return None, "not computed"


# --- forecast --------------------------------------------------------------------------------------


def forecast(org, *, kpi: Kpi, period: Period, today: date | None = None):
    """Forecast at period end.

    Run-rate: every flow metric the KPI reads (sums and counts) is extrapolated from the days elapsed
    to the whole period (value to date ÷ share of the period elapsed); stocks, averages and snapshots
    keep their value to date; the formula is then evaluated on those inputs, so ratios stay ratios.
    Seasonality: when the same period last year has data, the run-rate is multiplied by last year's
    (actual full-period value ÷ run-rate at the same point of the period).
    """
    from kpis.selectors import Forecast

    today = today or timezone.localdate()
    graph = _graph(org)
    if kpi.slug not in graph.kpis:
        return Forecast(None, None, None, "unknown KPI")
    elapsed = elapsed_fraction(period, today)
    leaves = [graph.metrics[m] for m in graph.leaf_metrics(kpi.slug)]
    full_days = period.days
    if elapsed == 0:
        return Forecast(None, None, None, "the period has not started", elapsed=0.0)
    td = Period(period.start, min(today, period.end), period.grain, period.fy_start_month)
    ly = period.same_period_last_year()
    ly_td = Period(ly.start, min(ly.end, ly.start + (td.end - td.start)), ly.grain, ly.fy_start_month)
    results = compute_metrics(
        org, metrics=leaves, periods_by_grain={"td": [td], "ly": [ly], "ly_td": [ly_td]}
    )
    ratio = Decimal(full_days) / Decimal(td.days)

    def value(label: str, p: Period, scale: Decimal | None):
        res = {}
        for m in leaves:
            cell = dict(results.get((m.slug, label, p.start), {}))
            if scale is not None and _scalable(m):
                cell = {d: (v * scale if isinstance(v, Decimal) else v) for d, v in cell.items()}
            res[(m.slug, "x", p.start)] = cell
        out = evaluate_period(
            graph, res, grain="x", period=p, slugs={kpi.slug}, targets={}, dimension_values=[]
        )
        return _first(out)

    actual_td, reason = value("td", period, None)
    run_rate, rr_reason = value("td", period, ratio)
    if elapsed >= 1:
        return Forecast(actual_td, actual_td, None, "the period is over: actual value", actual_td, 1.0)
    if run_rate is None:
        return Forecast(None, None, None, f"no run-rate: {rr_reason or reason}", actual_td, elapsed)
    ly_full, _ = value("ly", ly, None)
    ly_rate, _ = value("ly_td", ly, ratio)
    scaled_any = any(_scalable(m) for m in leaves)
    if scaled_any and ly_full is not None and ly_rate not in (None, Decimal(0)):
        factor = (ly_full / ly_rate).quantize(Decimal("0.0001"))
        return Forecast(
            (run_rate * factor).quantize(Decimal("0.01")),
            run_rate,
            factor,
            f"run-rate of the {td.days} days elapsed × seasonality of {ly.label()} ({factor})",
            actual_td,
            elapsed,
        )
    method = (
        f"run-rate of the {td.days} days elapsed extended to {full_days} days"
        if scaled_any
        else "latest value (this KPI is not a flow that grows with time)"
    )
    return Forecast(run_rate, run_rate, None, method, actual_td, elapsed)


# --- driver tree -----------------------------------------------------------------------------------


def describe_metric(m: Metric) -> str:
    agg = m.get_aggregation_display().lower()
    what = m.value or "records"
    parts = [f"{agg} of {what} over {m.get_record_type_display().lower()} by {m.date_field}"]
    accounts = (m.filters or {}).get("accounts") or {}
    if accounts.get("include"):
        parts.append("accounts " + ", ".join(accounts["include"]))
    if accounts.get("exclude"):
        parts.append("excluding " + ", ".join(accounts["exclude"]))
    where = (m.filters or {}).get("where") or {}
    if where:
        parts.append(", ".join(f"{k}={v}" for k, v in where.items()))
    if m.window_months:
        parts.append(f"trailing {m.window_months} months")
    if m.dimension_field:
        parts.append(f"by {m.dimension_field}")
    return "; ".join(parts)


def build_driver_tree(org, *, kpi: Kpi):
    from kpis.selectors import DriverNode

    graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))

    def node(slug: str, seen: frozenset) -> DriverNode:
        if slug in graph.kpis:
            k = graph.kpis[slug]
            children = (
                [] if slug in seen else [node(r, seen | {slug}) for r in sorted(graph.reads.get(slug, ()))]
            )
            return DriverNode(slug=slug, name=k.name, kind="kpi", formula=k.formula, children=children, kpi=k)
        if slug in graph.metrics:
            m = graph.metrics[slug]
            return DriverNode(slug=slug, name=m.name, kind="metric", formula=describe_metric(m), metric=m)
        return DriverNode(slug=slug, name=slug, kind="unknown", formula="")

    return node(kpi.slug, frozenset())


# --- what-if -----------------------------------------------------------------------------------------


def simulate(org, *, period: Period, changes: dict, dimension_value: str = "") -> dict:
    """{kpi slug: (before, after)} for every KPI depending on a changed metric or KPI; saves nothing."""
    graph = _graph(org)
    changed = {s for s in changes if s in graph.metrics or s in graph.kpis}
    affected = graph.dependents(changed) | {s for s in changed if s in graph.kpis}
    affected = {s for s in affected if graph.kpis[s].is_active}
    if not affected:
        return {}
    leaves = {m for s in affected for m in graph.leaf_metrics(s)} | {s for s in changed if s in graph.metrics}
    results = compute_metrics(
        org, metrics=[graph.metrics[m] for m in leaves], periods_by_grain={period.grain: [period]}
    )
    targets = {
        (slug, grain, start): v
        for slug, grain, start, v in KpiTarget.objects.for_org(org)
        .filter(grain=period.grain, period_start=period.start)
        .values_list("kpi__slug", "grain", "period_start", "value")
    }
    dims = [dimension_value] if dimension_value else []

    def run(overrides):
        out = evaluate_period(
            graph,
            results,
            grain=period.grain,
            period=period,
            slugs=affected,
            targets=targets,
            overrides=overrides,
            dimension_values=dims,
        )
        return {v.kpi_slug: v.value for v in out if v.dimension_value == dimension_value}

    before = run({})
    overrides = {}
    for slug in changed:
        change = changes[slug]
        if slug in graph.metrics:
            base = results.get((slug, period.grain, period.start), {}).get(dimension_value or TOTAL)
        else:
            base = before.get(slug)
        if change.value is not None:
            overrides[slug] = Decimal(change.value)
        elif change.pct is not None and isinstance(base, Decimal):
            overrides[slug] = base * (Decimal(1) + Decimal(change.pct) / Decimal(100))
        elif change.pct is not None:
            overrides[slug] = NoValue(f"{slug} has no value to change")
    after = run(overrides)
    return {s: (before.get(s), after.get(s)) for s in sorted(affected)}


# --- lineage -----------------------------------------------------------------------------------------


def lineage(
    org,
    *,
    kpi: Kpi,
    period: Period,
    dimension_value: str = "",
    metric_slug: str | None = None,
    page: int = 1,
    page_size: int = 50,
):
    from kpis.selectors import LineagePage

    graph = _graph(org)
    if kpi.slug not in graph.reads:
        graph = Graph.build([kpi], graph.metrics.values())
    slugs = sorted(graph.leaf_metrics(kpi.slug))
    if metric_slug is not None:
        slugs = [s for s in slugs if s == metric_slug]
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), 500))
    pages = []
    for slug in slugs:
        m = graph.metrics[slug]
        model = model_for(m.record_type)
        qs = model.objects.for_org(org).filter(metric_q(m) & span_q(m, period))
        if dimension_value and m.dimension_field:
            if dimension_value == NO_DIMENSION:
                qs = qs.filter(Q(**{f"{m.dimension_field}__isnull": True}) | Q(**{m.dimension_field: ""}))
            else:
                qs = qs.filter(**{m.dimension_field: dimension_value})
        qs = qs.order_by(f"-{m.date_field}", "-pk")
        total = qs.count()
        records = list(qs[(page - 1) * page_size : page * page_size])
        pages.append(
            LineagePage(metric=m, period=period, records=records, total=total, page=page, page_size=page_size)
        )
    return pages


__all__ = ["forecast", "build_driver_tree", "simulate", "lineage", "describe_metric"]
