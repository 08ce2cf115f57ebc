"""The small interface every rule kind implements, and the shared reads of one evaluation.

A rule only reads: it returns `Finding`s (what is wrong now, one per subject). The service
(`alerts.services.evaluation`) opens, updates and resolves the alerts from them, so a rule can be
tested with nothing but the data it reads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from django.urls import NoReverseMatch, reverse

from accounts.capabilities import Role
from accounts.models import Organization
from kpis.periods import Period, period_containing


@dataclass(frozen=True)
class Finding:
    """One subject a rule finds wrong: stable `subject_key` across evaluations (dedup), the figure and its
    threshold, message parameters (JSON), the page behind it, and who may see it."""

    subject_key: str
    figure: Decimal | None
    threshold: Decimal | None
    params: dict[str, Any]
    capabilities: frozenset[str]
    link: str = ""
    severity: str | None = None  # None: the rule's own
    kpi_id: int | None = None
    objective_id: int | None = None


@dataclass
class Context:
    """What one evaluation of one organization shares between its rules (read once, on first use)."""

    org: Organization
    today: date
    now: datetime
    _cache: dict = field(default_factory=dict)

    @cached_property
    def visibility(self):
        from kpis.selectors import kpi_visibility_for

        return kpi_visibility_for(self.org)

    @cached_property
    def kpis(self) -> dict:
        from kpis.models import Kpi

        return {k.slug: k for k in Kpi.objects.for_org(self.org).filter(is_active=True)}

    @property
    def last_complete_month(self) -> Period:
        return period_containing(self.today, "month", self.org.fiscal_year_start_month).previous()

    def kpi_capabilities(self, slug: str) -> frozenset[str]:
        """What a member needs to see this KPI (its own capability and all its formula reads)."""
        return self.visibility.required.get(slug, frozenset({"kpis.view_costs"}))

    def monthly_series(self, slugs: set[str]) -> dict[str, dict[date, Decimal]]:
        """{slug: {month start: value}} of the whole-company monthly values of these KPIs; one query."""
        from kpis.models import KpiValue

        key = ("monthly", frozenset(slugs))
        if key not in self._cache:
            series: dict[str, dict[date, Decimal]] = {s: {} for s in slugs}
            rows = KpiValue.objects.for_org(self.org).filter(
                kpi__slug__in=slugs, grain="month", dimension_value="", value__isnull=False,
            ).values_list("kpi__slug", "period_start", "value")
            for slug, start, value in rows:
                series[slug][start] = value
            self._cache[key] = series
        return self._cache[key]

    def url(self, name: str, **kwargs) -> str:
        try:
            return reverse(name, kwargs={"org_slug": self.org.slug, **kwargs})
        except NoReverseMatch:
            return ""


class Rule(ABC):
    """A kind of check. Subclasses set `kind`, `label`, `defaults` and implement `evaluate` and `message`."""

    kind: ClassVar[str]
    label: ClassVar[str]
    defaults: ClassVar[dict[str, Any]] = {}
    default_severity: ClassVar[str] = "warning"
    default_roles: ClassVar[tuple[str, ...]] = (Role.CEO, Role.CFO)
    # Time-based kinds also run from the hourly beat (nothing else tells them that time passed).
    is_time_based: ClassVar[bool] = False

    def __init__(self, parameters: dict[str, Any] | None = None) -> None:
        self.params = {**self.defaults, **(parameters or {})}

    @classmethod
    def is_available(cls) -> bool:
        """Whether the data this kind reads exists in this installation."""
        return True

    @abstractmethod
    def evaluate(self, ctx: Context) -> list[Finding]:
        """What is wrong now; everything not returned resolves by itself."""

    @abstractmethod
    def message(self, params: dict[str, Any]) -> str:
        """The alert's sentence in the active language, from the params a Finding stored."""

    def default_name(self) -> str:
        return str(self.label)


def dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def as_text(value: Decimal | float | None, places: int = 2) -> str:
    """A figure for message params (JSON keeps strings; the template formats them per locale)."""
    if value is None:
        return ""
    return str(round(Decimal(str(value)), places))


def shown(params: dict[str, Any], unit: str, *keys: str) -> dict[str, Any]:
    """A copy of the params with these figures written for the reader (locale, unit), for `message`."""
    from kpis.presenters.common import format_kpi_value

    out = dict(params)
    for key in keys:
        if out.get(key) not in (None, ""):
            out[key] = format_kpi_value(Decimal(str(out[key])), unit)
    return out


def shown_number(value, decimals: int = 1) -> str:
    from django.utils.formats import number_format

    return number_format(Decimal(str(value)), decimals, force_grouping=True) if value not in (None, "") else ""
