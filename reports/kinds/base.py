"""A digest kind: one role's report, whose figures are that role's KPI pack (kpis/catalogue/role_packs.toml).

The pack is the one table of each role's KPIs, read by the dashboards and by the digests alike; a kind only
adds its title, how many figures fit its page and which KPIs beyond the pack's trend it draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from kpis.catalogue import role_pack


@dataclass(frozen=True)
class DigestKind:
    key: str
    title: Promise  # translated at rendering, in the recipient's language
    role: str  # whose pack the figures are
    also_drawn: tuple[str, ...] = ()  # KPIs of the pack drawn as 12-month trends besides the pack's trend
    max_figures: int = 8

    @property
    def kpis(self) -> tuple[str, ...]:
        """The pack's KPIs, best first; each recipient sees only those their role may see
        (kpis.selectors.kpi_visibility_for) and that have a value."""
        return role_pack(self.role).kpis

    @property
    def charts(self) -> tuple[str, ...]:
        trend = role_pack(self.role).trend
        drawn = ((trend,) if trend else ()) + self.also_drawn
        return tuple(dict.fromkeys(s for s in drawn if s in self.kpis))
