"""make_* helpers of the objectives tests (hand-built data: no demo, no sync)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.capabilities import Role
from kpis.models import Kpi, KpiValue
from objectives.models import ActionPlan, CheckIn, KeyResult, Objective, ObjectiveTemplate, Review
from tests.factories import make_member

_seq = itertools.count(1)
Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def make_kpi(org, *, slug: str | None = None, name: str = "", formula: str = "x", unit: str = Kpi.Unit.EUR,
             owner_role: str = Role.CFO, direction: str = Kpi.Direction.HIGHER) -> Kpi:
    slug = slug or f"kpi_{next(_seq)}"
    return Kpi.objects.create(organization=org, slug=slug, name=name or slug.replace("_", " ").title(),
                              formula=formula, unit=unit, owner_role=owner_role, direction=direction)


def make_kpi_value(org, *, kpi: Kpi, value, grain: str = "quarter", start: date = Q4[0], end: date = Q4[1],
                   dimension_value: str = "", computed_at=None) -> KpiValue:
    return KpiValue.objects.create(organization=org, kpi=kpi, grain=grain, period_start=start, period_end=end,
                                   dimension_value=dimension_value,
                                   value=Decimal(value) if value is not None else None,
                                   computed_at=computed_at or timezone.now())


def make_objective(org, *, title: str | None = None, kind: str = Objective.Kind.FINANCIAL, owner=None,
                   parent: Objective | None = None, start: date = Q4[0], end: date = Q4[1],
                   status: str = Objective.Status.ACTIVE, weight: int = 1) -> Objective:
    owner = owner or make_member(org, role=Role.CFO)
    return Objective.objects.create(organization=org, title=title or f"Objective {next(_seq)}", kind=kind,
                                    period_start=start, period_end=end, owner=owner, owner_role=owner.role,
                                    parent=parent, status=status, weight=weight)


def make_key_result(objective: Objective, *, kpi: Kpi | None = None, start="0", target="100",
                    direction: str = KeyResult.Direction.INCREASE, weight: int = 1, manual_value=None,
                    title: str | None = None) -> KeyResult:
    return KeyResult.objects.create(
        organization=objective.organization, objective=objective, title=title or f"KR {next(_seq)}", kpi=kpi,
        is_manual=kpi is None, manual_value=Decimal(manual_value) if manual_value is not None else None,
        manual_value_at=timezone.now() if manual_value is not None else None,
        start_value=Decimal(start), target_value=Decimal(target), direction=direction, weight=weight)


def make_action_plan(objective: Objective, *, checklist=None) -> ActionPlan:
    return ActionPlan.objects.create(organization=objective.organization, objective=objective,
                                     title=f"Plan {next(_seq)}", owner=objective.owner, due_date=objective.period_end,
                                     checklist=checklist if checklist is not None else [{"text": "Hire", "done": False}])


def make_check_in(objective: Objective, *, confidence: str = "on_track", on: date | None = None) -> CheckIn:
    return CheckIn.objects.create(organization=objective.organization, objective=objective, author=objective.owner,
                                  date=on or timezone.localdate(), confidence=confidence)


def make_review(org) -> Review:
    return Review.objects.create(organization=org, title=f"Review {next(_seq)}", held_on=timezone.localdate())


def make_template(org) -> ObjectiveTemplate:
    return ObjectiveTemplate.objects.create(organization=org, name=f"Template {next(_seq)}", payload=[])


def make_derived_target(org):
    from objectives.models import DerivedTarget

    objective = make_objective(org)
    return DerivedTarget.objects.create(organization=org, objective=objective, kpi=make_kpi(org, unit="count"),
                                        kind=Objective.Kind.OPERATIONAL, start_value=0, target_value=10)
