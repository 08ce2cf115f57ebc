"""Trailing 12 months from the materialised monthly values: no grain of the engine, so the dashboard sums them.

A KPI over the 12 months is its formula over its inputs over the 12 months, each input taken by its nature
(`kpis.engine.forecast.metric_kind` / `kpi_kind`): a flow (sums, counts: revenue, costs, orders) is the sum
of its 12 months, a stock (balances, open records: cash, receivables) is its value at the last month's end.
So revenue is the sum of the months, cash the last month's, and gross margin % or DSO their formula over
the summed numerators and denominators (never a mean of 12 ratios). An input that is neither (an average, a
percentile, a ratio read by another KPI) has no 12-month figure from monthly values: the KPI gets none, and
says so. The inputs are those each monthly value recorded (`KpiValue.inputs`), so nothing else is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from kpis.engine.compute import Graph
from kpis.engine.forecast import FLOW, STOCK, kpi_kind, metric_kind
from kpis.engine.formula import NoValue, evaluate
from kpis.models import Kpi, KpiValue
from kpis.periods import Period

MONTHS = 12


@dataclass(frozen=True)
class Trailing:
    value: Decimal | None
    reason: str = ""


def input_kind(graph: Graph, slug: str) -> str:
    if slug in graph.metrics:
        return metric_kind(graph.metrics[slug])
    return kpi_kind(graph, slug)


def _combined(kind: str, monthly: list[Decimal | None]) -> Decimal | None:
    if any(v is None for v in monthly):
        return None
    if kind == FLOW:
        return sum(monthly, Decimal(0))
    if kind == STOCK:
        return monthly[-1]
    return None


def trailing_value(graph: Graph, kpi: Kpi, values: list[KpiValue | None], months: list[Period]) -> Trailing:
    """The KPI over `months` (the 12 months, oldest first) from its monthly values, one per month or None."""
    if len(months) != MONTHS or any(v is None or v.value is None for v in values):
        return Trailing(None, _("Fewer than 12 months of values."))
    kind = kpi_kind(graph, kpi.slug)
    if kind in (FLOW, STOCK):  # additive in its inputs: the months themselves add up (or the last one stands)
        return Trailing(_combined(kind, [v.value for v in values]))
    node = graph.asts.get(kpi.slug)
    env: dict[str, Decimal | None] = {}
    for name in graph.reads.get(kpi.slug, ()):
        monthly = []
        for v in values:
            recorded = (v.inputs or {}).get("metrics" if name in graph.metrics else "kpis") or {}
            raw = recorded.get(name)
            monthly.append(None if raw is None else Decimal(str(raw)))
        env[name] = _combined(input_kind(graph, name), monthly)
        if env[name] is None:
            return Trailing(None, _("An input of this KPI has no 12-month figure (an average, a percentile or a ratio)."))
    result = evaluate(node, env, period_days=sum(m.days for m in months), period_months=MONTHS)
    if isinstance(result, NoValue):  # a division by zero, say: the engine's own reason is not for the reader
        return Trailing(None, _("No value over these 12 months (%(formula)s).") % {"formula": kpi.formula})
    return Trailing(result)


def trailing_target(graph: Graph, kpi: Kpi, targets: list[Decimal | None]) -> Decimal | None:
    """The 12 months' target: the sum of the monthly targets of a flow, the last month's of a stock."""
    return _combined(kpi_kind(graph, kpi.slug), targets) if len(targets) == MONTHS else None
