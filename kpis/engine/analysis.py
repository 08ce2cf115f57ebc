"""Driver tree, what-if and lineage: reads built on the same metric queries as the recompute.

Forecasts are computed by the recompute (kpis/engine/forecast.py) and read materialised."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpis.engine.compute import Graph, _kpi_closure, evaluate_period
from kpis.engine.drivers import business_drivers, business_identities, used_inputs
from kpis.engine.formula import NoValue
from kpis.engine.metrics import NO_DIMENSION, TOTAL, compute_metrics
from kpis.engine.records import metric_q, model_for, span_q
from kpis.models import Kpi, KpiTarget, KpiValue, Metric
from kpis.periods import Period

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


# --- driver tree -----------------------------------------------------------------------------------


def describe_metric(m: Metric) -> str:
    """What a metric adds up, in the reader's language; fields and filters keep their names in the records."""
    agg = m.get_aggregation_display().lower()
    records = m.get_record_type_display().lower()
    if m.value:
        head = _("%(aggregation)s of %(value)s over %(records)s by %(date)s") % {
            "aggregation": agg, "value": m.value, "records": records, "date": m.date_field}
    else:
        head = _("%(aggregation)s of %(records)s by %(date)s") % {
            "aggregation": agg, "records": records, "date": m.date_field}
    parts = [head]
    accounts = (m.filters or {}).get("accounts") or {}
    if accounts.get("include"):
        parts.append(_("accounts %(numbers)s") % {"numbers": ", ".join(accounts["include"])})
    if accounts.get("exclude"):
        parts.append(_("excluding %(numbers)s") % {"numbers": ", ".join(accounts["exclude"])})
    where = (m.filters or {}).get("where") or {}
    if where:
        parts.append(", ".join(f"{k}={v}" for k, v in where.items()))
    if m.window_months:
        parts.append(ngettext("trailing %(n)s month", "trailing %(n)s months", m.window_months) % {
            "n": m.window_months})
    if m.dimension_field:
        parts.append(_("by %(field)s") % {"field": m.dimension_field})
    return _("; ").join(parts)


def build_driver_tree(org, *, kpi: Kpi, period: Period | None = None, dimension_value: str = ""):
    from kpis.selectors import DriverNode

    graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))
    readings: dict[str, dict] = {}
    fallback: set[str] = set()
    if period is not None:
        readings = _readings(org, graph, kpi, period, dimension_value)
        fallback = _fallbacks(graph, kpi, readings)

    def node(slug: str, seen: frozenset, under_fallback: bool = False) -> DriverNode:
        is_fallback = under_fallback or slug in fallback
        if slug in graph.kpis:
            k = graph.kpis[slug]
            children = (
                []
                if slug in seen
                else [node(r, seen | {slug}, is_fallback) for r in sorted(graph.reads.get(slug, ()))]
            )
            return DriverNode(slug=slug, name=k.name, kind="kpi", formula=k.formula, children=children, kpi=k,
                              is_fallback=is_fallback, reading=readings.get(slug))
        if slug in graph.metrics:
            m = graph.metrics[slug]
            return DriverNode(slug=slug, name=m.name, kind="metric", formula=describe_metric(m), metric=m,
                              is_fallback=is_fallback)
        return DriverNode(slug=slug, name=slug, kind="unknown", formula="")

    root = node(kpi.slug, frozenset())
    root.business = [[node(s, frozenset({kpi.slug})) for s in group] for group in business_drivers(graph, kpi.slug)]
    return root


# --- what-if -----------------------------------------------------------------------------------------


def simulate(org, *, period: Period, changes: dict, dimension_value: str = "") -> dict:
    """{kpi slug: (before, after)} for every KPI depending on a changed metric or KPI; saves nothing.

    A change of a business driver (orders, average basket…, kpis/engine/drivers.py) moves the KPI it drives
    in proportion (revenue = orders × average basket: +10 % orders is +10 % revenue), then its dependents.
    """
    graph = _graph(org)
    changed = {s for s in changes if s in graph.metrics or s in graph.kpis}
    identities = business_identities(graph, changed)
    moved = changed | set(identities)
    affected = graph.dependents(moved) | {s for s in moved if s in graph.kpis}
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
    bases = {}
    for slug in changed:
        change = changes[slug]
        if slug in graph.metrics:
            base = results.get((slug, period.grain, period.start), {}).get(dimension_value or TOTAL)
        else:
            base = before.get(slug)
        bases[slug] = base
        if change.value is not None:
            overrides[slug] = Decimal(change.value)
        elif change.pct is not None and isinstance(base, Decimal):
            overrides[slug] = base * (Decimal(1) + Decimal(change.pct) / Decimal(100))
        elif change.pct is not None:
            overrides[slug] = NoValue(f"{slug} has no value to change")
    for kpi_slug, drivers in identities.items():
        if kpi_slug in changed or not isinstance(before.get(kpi_slug), Decimal):
            continue
        factor = Decimal(1)
        for d in drivers:
            base, new = bases.get(d), overrides.get(d)
            if not isinstance(base, Decimal) or not isinstance(new, Decimal) or base == 0:
                factor = None
                break
            factor *= new / base
        overrides[kpi_slug] = before[kpi_slug] * factor if factor is not None else NoValue(
            f"{', '.join(drivers)} has no value to change")
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
    else:  # the metrics the value used first, the fallbacks it did not use (coalesce) after
        fallback = _fallbacks(graph, kpi, _readings(org, graph, kpi, period, dimension_value))
        slugs.sort(key=lambda s: (s in fallback, s))
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
        # provenance: which import run or API key wrote each record (one join, whatever the page size)
        qs = qs.select_related("provenance__by__user").order_by(f"-{m.date_field}", "-pk")
        total = qs.count()
        records = list(qs[(page - 1) * page_size : page * page_size])
        pages.append(
            LineagePage(metric=m, period=period, records=records, total=total, page=page, page_size=page_size)
        )
    return pages


def _readings(org, graph: Graph, kpi: Kpi, period: Period, dimension_value: str) -> dict[str, dict]:
    """The materialised values of `kpi`, of the KPIs it reads and of its business drivers for `period`:
    {slug: {"value", "inputs", "no_value_reason"}}; 1 query."""
    slugs = {kpi.slug, *_kpi_closure(graph, kpi.slug)}
    for group in business_drivers(graph, kpi.slug):
        slugs |= {s for s in group if s in graph.kpis}
    return {
        row["kpi__slug"]: row
        for row in KpiValue.objects.for_org(org).filter(
            kpi__slug__in=sorted(slugs), grain=period.grain, period_start=period.start,
            dimension_value=dimension_value,
        ).values("kpi__slug", "value", "inputs", "no_value_reason")
    }


def _fallbacks(graph: Graph, kpi: Kpi, readings: dict[str, dict]) -> set[str]:
    """Slugs the value of `kpi` did not use (the alternatives of a coalesce that had a value)."""
    return used_inputs(graph, kpi.slug, {s: r["inputs"] or {} for s, r in readings.items()})[1]


__all__ = ["build_driver_tree", "describe_metric", "lineage", "simulate"]
