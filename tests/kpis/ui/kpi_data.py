"""Small builders for the KPI page tests: KPIs, metrics, materialised values and targets, set explicitly."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kpis.models import Kpi, KpiAnnotation, KpiTarget, KpiValue, Metric
from kpis.periods import add_months, month_end

_seq = itertools.count(1)


def make_metric(org, *, slug: str | None = None, name: str = "", record_type: str = "invoice",
                aggregation: str = "sum", value: str = "amount_excl_tax", date_field: str = "issue_date",
                **overrides) -> Metric:
    slug = slug or f"metric_{next(_seq)}"
    return Metric.objects.create(organization=org, slug=slug, name=name or slug.replace("_", " ").capitalize(),
                                 record_type=record_type, aggregation=aggregation, value=value,
                                 date_field=date_field, **overrides)


def make_kpi(org, *, slug: str | None = None, name: str = "", formula: str = "1", unit: str = Kpi.Unit.EUR,
             category: str = Kpi.Category.FINANCIAL, visibility: str = "kpis.view", **overrides) -> Kpi:
    slug = slug or f"kpi_{next(_seq)}"
    return Kpi.objects.create(organization=org, slug=slug, name=name or slug.replace("_", " ").capitalize(),
                              formula=formula, unit=unit, category=category, visibility_capability=visibility,
                              **overrides)


def set_value(kpi: Kpi, month: date, value: Decimal | str | None, *, reason: str = "", inputs: dict | None = None,
              dimension_value: str = "") -> KpiValue:
    start = date(month.year, month.month, 1)
    return KpiValue.objects.update_or_create(
        organization=kpi.organization, kpi=kpi, grain="month", period_start=start, dimension_value=dimension_value,
        defaults={"period_end": month_end(start), "value": None if value is None else Decimal(value),
                  "no_value_reason": reason, "inputs": inputs or {}, "computed_at": timezone.now()},
    )[0]


def set_target(kpi: Kpi, month: date, value: Decimal | str, *, grain: str = "month") -> KpiTarget:
    return KpiTarget.objects.create(organization=kpi.organization, kpi=kpi, grain=grain,
                                    period_start=date(month.year, month.month, 1), value=Decimal(value))


def set_history(kpi: Kpi, *, last: date, values: list, targets: list | None = None) -> None:
    """`values` (and `targets`) for consecutive months ending with `last`, oldest first."""
    first = add_months(last, -(len(values) - 1))
    for i, v in enumerate(values):
        set_value(kpi, add_months(first, i), v)
    for i, t in enumerate(targets or []):
        if t is not None:
            set_target(kpi, add_months(first, i), t)


def annotate(kpi: Kpi, month: date, text: str) -> KpiAnnotation:
    return KpiAnnotation.objects.create(organization=kpi.organization, kpi=kpi, grain="month",
                                        period_start=date(month.year, month.month, 1), text=text)
