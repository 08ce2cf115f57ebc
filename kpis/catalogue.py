"""The built-in catalogue as data: kpis/catalogue/metrics.toml and kpis/catalogue/kpis.toml.

`kpis.services.catalogue_install(org)` copies it into a tenant, where each metric and KPI can be
edited. This module only reads and checks the files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from accounts.models import Organization
from kpis.engine.formula import FormulaError, find_cycle, parse, references
from kpis.visibility import metric_visibility_from_readers

DIR = Path(__file__).resolve().parent / "catalogue"
KPI_DEFAULTS = {
    "description": "",
    "unit": "eur",
    "direction": "higher",
    "category": "financial",
    "owner_role": "cfo",
    "visibility_capability": "kpis.view",
    "dimension_label": "",
    "packs": [Organization.Pack.GENERAL],
}
METRIC_DEFAULTS = {
    "description": "",
    "value": "",
    "distinct_field": "",
    "percentile": None,
    "filters": {},
    "end_field": "",
    "snapshot_at": "end",
    "window_months": None,
    "dimension_field": "",
    "options": {},
}


@dataclass(frozen=True)
class Catalogue:
    metrics: list[dict]
    kpis: list[dict]


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    with open(DIR / "metrics.toml", "rb") as f:
        metrics = tomllib.load(f)["metrics"]
    with open(DIR / "kpis.toml", "rb") as f:
        kpis = tomllib.load(f)["kpis"]
    metrics = [{**METRIC_DEFAULTS, **m} for m in metrics]
    for m in metrics:
        if m["percentile"] is not None:
            m["percentile"] = Decimal(str(m["percentile"]))
    kpis = [{**KPI_DEFAULTS, **k, "sort_order": i} for i, k in enumerate(kpis)]
    derived = metric_visibility_from_readers([m["slug"] for m in metrics],
                                             [(k["formula"], k["visibility_capability"]) for k in kpis])
    for m in metrics:
        m.setdefault("visibility_capability", derived[m["slug"]])
    check(metrics, kpis)
    check_packs(kpis)
    return Catalogue(metrics=metrics, kpis=kpis)


@dataclass(frozen=True)
class RolePack:
    """A role's KPIs, best first, and the KPIs its default dashboard charts (kpis/catalogue/role_packs.toml)."""

    kpis: tuple[str, ...]
    trend: str = ""
    breakdown: str = ""
    ageing: bool = False


@lru_cache(maxsize=1)
def load_role_packs() -> dict[str, RolePack]:
    """Each role's pack, keeping only the slugs the catalogue holds (a pack may name KPIs not added yet)."""
    with open(DIR / "role_packs.toml", "rb") as f:
        roles = tomllib.load(f)["roles"]
    known = {k["slug"] for k in load_catalogue().kpis}

    def keep(slug: str) -> str:
        return slug if slug in known else ""

    return {role: RolePack(kpis=tuple(s for s in spec.get("kpis", []) if s in known),
                           trend=keep(spec.get("trend", "")), breakdown=keep(spec.get("breakdown", "")),
                           ageing=bool(spec.get("ageing", False)))
            for role, spec in roles.items()}


def role_pack(role: str) -> RolePack:
    return load_role_packs().get(role, RolePack(kpis=()))


def kpi_fields(spec: dict) -> dict:
    """A catalogue KPI's model fields (its packs decide whether it is active, they are not a field)."""
    return {k: v for k, v in spec.items() if k != "packs"}


def in_packs(spec: dict, packs: list[str]) -> bool:
    return bool(set(spec["packs"]) & set(packs))


def check_packs(kpis: list[dict]) -> None:
    """Every KPI names known packs."""
    known = set(Organization.Pack.values)
    for k in kpis:
        unknown = set(k["packs"]) - known
        if unknown or not k["packs"]:
            raise FormulaError(f"KPI {k['slug']} names unknown packs {sorted(unknown)}")


def check(metrics: list[dict], kpis: list[dict]) -> None:
    """Every formula parses, reads only known slugs, and the KPIs form no cycle."""
    metric_slugs = {m["slug"] for m in metrics}
    kpi_slugs = {k["slug"] for k in kpis}
    if metric_slugs & kpi_slugs:
        raise FormulaError(f"Slugs used by both a metric and a KPI: {sorted(metric_slugs & kpi_slugs)}")
    graph = {}
    for k in kpis:
        node = parse(k["formula"])
        unknown = references(node) - metric_slugs - kpi_slugs
        if unknown:
            raise FormulaError(f"KPI {k['slug']} reads unknown {sorted(unknown)}")
        graph[k["slug"]] = references(node) & kpi_slugs
    cycle = find_cycle(graph)
    if cycle:
        raise FormulaError(f"Circular reference in the catalogue: {' → '.join(cycle)}")
