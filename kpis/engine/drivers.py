"""Which inputs a value actually used, and the business drivers of a KPI.

A formula such as `coalesce(revenue_ledger, revenue_invoices)` names two sources of the same figure: the
value used the first one that had a value, the other is a fallback. The driver tree, the what-if and the
lineage act on what the value used, never on a fallback that moves nothing.

Business drivers are the identities a business reasons with (PRODUCT.md): revenue = orders × average
basket, revenue = leads × conversion × average deal size,
production cost = units produced × cost per unit. They are declared here, once, for the driver
tree, the what-if and the feasibility check; a KPI someone creates does not replace them. A group
applies to a tenant when every slug of it is one of its KPIs or metrics.
"""

from __future__ import annotations

from decimal import Decimal

from kpis.engine.formula import Binary, Call, FormulaError, NoValue, Ref, Unary, evaluate, references

# KPI slug → groups of slugs whose product moves the KPI proportionally (constants such as /100 aside).
BUSINESS_DRIVERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "revenue": (("orders", "average_basket"), ("leads_created", "lead_conversion_rate", "average_deal_size")),
    "production_costs": (("units_produced", "cost_per_unit"),),
}


def business_drivers(graph, slug: str) -> list[tuple[str, ...]]:
    """The declared driver groups of `slug` that exist in this tenant (every member a KPI or a metric)."""
    known = set(graph.kpis) | set(graph.metrics)
    return [group for group in BUSINESS_DRIVERS.get(slug, ()) if all(s in known for s in group)]


def business_identities(graph, changed: set[str]) -> dict[str, list[str]]:
    """{KPI: its changed business drivers} for the KPIs a change of these drivers moves proportionally."""
    out: dict[str, list[str]] = {}
    for kpi in BUSINESS_DRIVERS:
        if kpi not in graph.kpis:
            continue
        for group in business_drivers(graph, kpi):
            moved = [s for s in group if s in changed]
            if moved:
                out[kpi] = sorted(set(out.get(kpi, [])) | set(moved))
    return out


def _env(inputs: dict) -> dict:
    env = {}
    for section in ("metrics", "kpis"):
        for name, raw in (inputs.get(section) or {}).items():
            env[name] = Decimal(raw) if raw not in (None, "") else NoValue("no value")
    return env


def used_inputs(graph, slug: str, inputs_by_kpi: dict[str, dict]) -> tuple[set[str], set[str]]:
    """(slugs the value of `slug` used, slugs that were only a fallback), through the KPIs it reads.

    `inputs_by_kpi` is {KPI slug: the `inputs` its materialised value kept}. In `coalesce(a, b, …)` the first
    argument that had a value is used and the others are fallbacks; when none had a value, none is a fallback.
    """
    used: set[str] = set()
    fallback: set[str] = set()
    seen: set[str] = set()

    def walk_kpi(s: str) -> None:
        if s in seen:
            return
        seen.add(s)
        node = graph.asts.get(s)
        if node is None or isinstance(node, FormulaError):
            return
        walk(node, _env(inputs_by_kpi.get(s) or {}))

    def walk(node, env) -> None:
        if isinstance(node, Call) and node.name == "coalesce":
            chosen = next((i for i, a in enumerate(node.args) if not isinstance(evaluate(a, env), NoValue)), None)
            for i, arg in enumerate(node.args):
                if chosen is None or i == chosen:
                    walk(arg, env)
                elif i > chosen:
                    fallback.update(references(arg))
            return
        if isinstance(node, Ref):
            used.add(node.name)
            if node.name in graph.kpis:
                walk_kpi(node.name)
        for child in _children(node):
            walk(child, env)

    walk_kpi(slug)
    return used, fallback - used


def _children(node) -> list:
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Call):
        return [] if node.name == "target" else list(node.args)
    return []


__all__ = ["BUSINESS_DRIVERS", "business_drivers", "business_identities", "used_inputs"]
