"""Formulas evaluated in Python over the metric results, KPIs in dependency order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kpis.engine.formula import (
    FormulaError,
    Node,
    NoValue,
    evaluate,
    parse,
    references,
    target_references,
    topological_order,
)
from kpis.engine.metrics import TOTAL, MetricResults
from kpis.engine.records import ADDITIVE
from kpis.periods import Period

QUANT = Decimal("0.000001")


@dataclass
class Graph:
    """The parsed formulas of a tenant: KPI slug → AST, what each reads, and the order to evaluate them."""

    kpis: dict  # slug → Kpi
    metrics: dict  # slug → Metric
    asts: dict[str, Node | FormulaError] = field(default_factory=dict)
    reads: dict[str, set[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    # Answers about one KPI, computed once: a recompute asks them for every KPI of every period.
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, kpis: Iterable, metrics: Iterable) -> Graph:
        g = cls(kpis={k.slug: k for k in kpis}, metrics={m.slug: m for m in metrics})
        for slug, kpi in g.kpis.items():
            try:
                node = parse(kpi.formula)
                g.asts[slug] = node
                g.reads[slug] = references(node)
            except FormulaError as e:
                g.asts[slug] = e
                g.reads[slug] = set()
        kpi_graph = {s: {r for r in reads if r in g.kpis} for s, reads in g.reads.items()}
        try:
            g.order = topological_order(kpi_graph)
        except FormulaError:
            g.order = sorted(g.kpis)  # a stored cycle (refused on save) evaluates as "no value"
        return g

    def leaf_metrics(self, slug: str, _seen: set | None = None) -> frozenset[str]:
        """Metric slugs a KPI reads directly or through other KPIs."""
        if _seen is None:
            key = ("leaves", slug)
            if key not in self._memo:
                self._memo[key] = frozenset(self.leaf_metrics(slug, set()))
            return self._memo[key]
        seen = _seen
        if slug in seen:
            return set()
        seen.add(slug)
        out = set()
        for r in self.reads.get(slug, ()):
            if r in self.metrics:
                out.add(r)
            elif r in self.kpis:
                out |= self.leaf_metrics(r, seen)
        return out

    def dependents(self, names: set[str]) -> set[str]:
        """KPIs that read any of these metric or KPI slugs, directly or not."""
        out: set[str] = set()
        frontier = set(names)
        while frontier:
            nxt = {k for k, reads in self.reads.items() if reads & frontier and k not in out}
            out |= nxt
            frontier = nxt
        return out

    def has_breakdown(self, slug: str) -> bool:
        key = ("breakdown", slug)
        if key not in self._memo:
            leaves = self.leaf_metrics(slug)
            self._memo[key] = bool(leaves) and all(self.metrics[m].dimension_field for m in leaves)
        return self._memo[key]

    def target_reads(self, slug: str) -> frozenset[str]:
        """The KPIs whose targets a KPI's formula reads (`target(x)`)."""
        key = ("targets", slug)
        if key not in self._memo:
            node = self.asts.get(slug)
            self._memo[key] = frozenset() if node is None or isinstance(node, FormulaError) else frozenset(
                target_references(node))
        return self._memo[key]

    def closure(self, slug: str) -> frozenset[str]:
        """The KPIs a KPI reads directly or through other KPIs."""
        key = ("closure", slug)
        if key not in self._memo:
            self._memo[key] = frozenset(_kpi_closure(self, slug))
        return self._memo[key]


@dataclass(frozen=True)
class ComputedValue:
    kpi_slug: str
    grain: str
    period: Period
    dimension_value: str
    value: Decimal | None
    reason: str
    inputs: dict


def _fmt(v) -> str | None:
    """A Decimal as plain text with no trailing zeros ("250", "0.5"), the same on every database."""
    if v is None or isinstance(v, NoValue):
        return None
    v = stored_value(Decimal(v))
    if v is None:
        return None
    text = format(v, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _metric_for_dim(results: MetricResults, graph: Graph, slug: str, grain: str, start: date, dim: str):
    cell = results.get((slug, grain, start))
    if cell is None:
        return NoValue("not computed")
    if dim == TOTAL or dim in cell:
        return cell.get(dim, NoValue("not computed"))
    total = cell.get(TOTAL)
    if isinstance(total, NoValue):
        return total
    return Decimal(0) if graph.metrics[slug].aggregation in ADDITIVE else NoValue(f"no records for {dim}")


def evaluate_period(
    graph: Graph,
    results: MetricResults,
    *,
    grain: str,
    period: Period,
    slugs: Iterable[str],
    targets: dict[tuple[str, str, date], Decimal],
    overrides: dict | None = None,
    dimension_values: Iterable[str] | None = None,
    with_inputs: bool = True,
) -> list[ComputedValue]:
    """Evaluate the KPIs `slugs` (and what they need) for one period, total and per dimension value.

    `overrides` ({slug: Decimal}) replaces a metric or KPI value (what-if); nothing is saved.
    `with_inputs=False`: the values only, no `inputs` (the forecasts keep none: formatting them was a fifth
    of their time).
    """
    wanted = set(slugs)
    needed = set(wanted)
    for s in wanted:
        needed |= graph.closure(s)
    order = [s for s in graph.order if s in needed]
    period_targets = {s: targets.get((s, grain, period.start)) for s in graph.kpis}
    overrides = overrides or {}

    # Each KPI broken down by a dimension gets the values its own metrics have (segments, channels…).
    kpi_dims: dict[str, set[str]] = {s: {TOTAL} for s in order}
    for s in order:
        if graph.has_breakdown(s):
            if dimension_values is None:
                for m in graph.leaf_metrics(s):
                    kpi_dims[s] |= set(results.get((m, grain, period.start), {}))
            else:
                kpi_dims[s] |= set(dimension_values)
    for s in reversed(order):  # a KPI read by a broken-down KPI is evaluated for the reader's values too
        for r in graph.reads[s]:
            if r in kpi_dims and graph.has_breakdown(r):
                kpi_dims[r] |= kpi_dims[s]
    dims = set().union(*kpi_dims.values()) if kpi_dims else {TOTAL}

    out: list[ComputedValue] = []
    for dim in sorted(dims):
        env: dict[str, Decimal | NoValue] = {}
        for s in order:
            if dim not in kpi_dims[s]:
                continue
            node = graph.asts[s]
            metric_inputs = {}
            for r in graph.reads[s]:
                if r in graph.metrics:
                    v = (
                        overrides[r]
                        if r in overrides
                        else _metric_for_dim(results, graph, r, grain, period.start, dim)
                    )
                    env[r] = v
                    if with_inputs:
                        metric_inputs[r] = _fmt(v)
            if isinstance(node, FormulaError):
                value = NoValue(f"invalid formula: {node}")
            elif s in overrides:
                value = overrides[s]
            else:
                value = evaluate(
                    node, env, targets=period_targets, period_days=period.days, period_months=period.months
                )
            env[s] = value
            if s in wanted:
                kpi_inputs = {}
                if with_inputs:
                    kpi_inputs = {r: _fmt(env.get(r)) for r in graph.reads[s] if r in graph.kpis}
                    for t in graph.target_reads(s):
                        kpi_inputs[f"target({t})"] = _fmt(period_targets.get(t))
                if isinstance(value, NoValue):
                    out.append(
                        ComputedValue(
                            s,
                            grain,
                            period,
                            dim,
                            None,
                            value.reason[:255],
                            {"metrics": metric_inputs, "kpis": kpi_inputs},
                        )
                    )
                else:
                    rounded = stored_value(value)
                    out.append(
                        ComputedValue(
                            s,
                            grain,
                            period,
                            dim,
                            rounded,
                            "" if rounded is not None else "value out of range",
                            {"metrics": metric_inputs, "kpis": kpi_inputs},
                        )
                    )
    return out


def stored_value(v: Decimal) -> Decimal | None:
    """The value as a KpiValue stores it (6 decimals, below 10^18), or None when it is out of that range."""
    try:
        q = v.quantize(QUANT)
    except Exception:
        return None
    if abs(q) >= Decimal(10) ** 18:
        return None
    return q


def _kpi_closure(graph: Graph, slug: str, seen: set | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    for r in graph.reads.get(slug, ()):
        if r in graph.kpis and r not in seen:
            seen.add(r)
            _kpi_closure(graph, r, seen)
    return seen
