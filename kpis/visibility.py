"""Who may see a figure: the one rule for metrics and KPIs, pure (no database), used by kpis.selectors.

A metric carries its own visibility capability (the catalogue gives each one the visibility of the
built-in KPIs that read it). A KPI needs its own capability *and* everything its formula reads needs,
transitively (metrics, KPIs, and the targets read through `target()`): so a KPI declared "everyone" that
divides a cost by a count is still seen only by the roles that see the cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from accounts.capabilities import ALL_CAPABILITIES, CAPABILITIES, Role
from kpis.engine.formula import FormulaError, parse, references, target_references

EVERYONE = "kpis.view"


def formula_inputs(formula: str) -> set[str]:
    """The slugs a formula reads, values and targets alike; nothing when it does not parse."""
    return set(_formula_inputs(formula))


@lru_cache(maxsize=4096)
def _formula_inputs(formula: str) -> frozenset[str]:
    """Parsed once per process and formula: every page asks the visibility of the whole catalogue (~80 formulas)."""
    try:
        node = parse(formula)
    except FormulaError:
        return frozenset()
    return frozenset(references(node) | target_references(node))


def required_capabilities(
    *, kpis: Mapping[str, tuple[str, str]], metrics: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """slug → every capability a member needs to see that metric or KPI.

    `kpis` maps a slug to (formula, declared capability), `metrics` a slug to its capability. A reference
    to nothing known adds nothing; a cycle (refused on save) is cut where it closes.
    """
    out: dict[str, frozenset[str]] = {slug: frozenset({cap}) for slug, cap in metrics.items()}
    inputs = {slug: _formula_inputs(formula) for slug, (formula, _cap) in kpis.items()}

    def visit(slug: str, path: set[str]) -> frozenset[str]:
        if slug in out:
            return out[slug]
        if slug not in kpis or slug in path:
            return frozenset()
        caps = {kpis[slug][1]}
        for name in inputs[slug]:
            caps |= visit(name, path | {slug})
        out[slug] = frozenset(caps)
        return out[slug]

    for slug in kpis:
        visit(slug, set())
    return out


def roles_holding(caps: Iterable[str]) -> set[str]:
    """The roles that hold every one of these capabilities (an unknown capability: no role)."""
    caps = set(caps)
    if caps - ALL_CAPABILITIES:
        return set()
    return {role for role in Role.values if caps <= CAPABILITIES[role]}


def is_wider(declared: str, inputs: Iterable[str]) -> bool:
    """Would a KPI declared with `declared` show figures to a role that may not see its inputs?"""
    return not roles_holding({declared}) <= roles_holding(inputs)


def metric_visibility_from_readers(
    metric_slugs: Iterable[str], readers: Iterable[tuple[str, str]], *, default: str = EVERYONE
) -> dict[str, str]:
    """Each metric takes the visibility of the KPIs that read it directly: the widest of them (a metric that
    an "everyone" KPI reads is seen by everyone); `default` when no KPI reads it.

    `readers` are (formula, capability) pairs of trusted KPIs (the built-in catalogue), so a KPI typed by a
    tenant can never widen a metric.
    """
    caps_of: dict[str, set[str]] = {slug: set() for slug in metric_slugs}
    for formula, cap in readers:
        for name in formula_inputs(formula):
            if name in caps_of:
                caps_of[name].add(cap)
    out = {}
    for slug, caps in caps_of.items():
        if not caps:
            out[slug] = default
        else:  # widest first: the capability most roles hold, then by name so the choice is stable
            out[slug] = sorted(caps, key=lambda c: (-len(roles_holding({c})), c))[0]
    return out
