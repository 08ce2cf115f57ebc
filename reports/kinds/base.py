"""A digest kind: which figures one role's report shows, and which of them are drawn as charts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class DigestKind:
    key: str
    title: Promise  # translated at rendering, in the recipient's language
    # The KPIs of the report, best first; each recipient sees only those their role may see
    # (kpis.selectors.kpi_visibility_for) and that have a value.
    kpis: tuple[str, ...]
    charts: tuple[str, ...]  # of those, the ones drawn as 12-month trends
    max_figures: int = 8
