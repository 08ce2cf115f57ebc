"""Objective templates: an objective set saved from one company and applied to others, several at once.

A template saved by a consultant goes to their consultancy's library (so it serves all its
clients); one saved by a company's own member stays in that company. Targets travel as ratios,
never as the source company's amounts:

- `relative_to_start`: the key result moved its KPI from a start value (NRR 102 → 105 %, cost per unit
  −8 %); applied elsewhere, the start is the company's own value for the previous period and the
  target keeps the same relative change;
- `relative_to_previous`: a flow counted from zero (revenue of the quarter, start 0); the target keeps
  its ratio to the previous period's value (500 K€ after 400 K€ → 1.25 × the company's own previous);
- `absolute`: no reference to scale from; the target is copied as is and flagged for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import rls
from accounts.audit import audit_log_record
from accounts.models import Membership, Organization
from kpis.models import Kpi
from kpis.periods import is_supported_day, period_containing, unsupported_day_message
from kpis.selectors import kpi_value_for_period
from objectives.models import KeyResult, Objective, ObjectiveTemplate
from objectives.services.objectives import can_set_kind

RELATIVE_TO_START = "relative_to_start"
RELATIVE_TO_PREVIOUS = "relative_to_previous"
ABSOLUTE = "absolute"
FOUR_PLACES = Decimal("0.0001")


def _require(by: Membership) -> None:
    if not by.can("objectives.templates"):
        raise PermissionDenied(_("Your role may not use objective templates here."))


def library_of(membership: Membership) -> Organization:
    """Where this member's templates are kept: their consultancy's library, or their own company."""
    if membership.is_consultant:
        return membership.engagement.consultancy
    return membership.organization


def _previous_value(org: Organization, *, kpi: Kpi, start: date, end: date) -> Decimal | None:
    """The KPI's value over the period of the same length just before [start, end], if materialised."""
    for grain in ("quarter", "year", "month"):
        p = period_containing(start, grain, org.fiscal_year_start_month)
        if p.start == start and p.end == end:
            return kpi_value_for_period(org, kpi=kpi, period=p.previous()).value
    return None


def _key_result_spec(kr: KeyResult) -> dict:
    spec = {"title": kr.title, "kpi_slug": kr.kpi.slug if kr.kpi else "", "direction": kr.direction,
            "unit": kr.unit, "weight": kr.weight, "is_manual": kr.is_manual, "dimension_value": kr.dimension_value,
            "start_value": str(kr.start_value), "target_value": str(kr.target_value)}
    if kr.start_value:
        spec["mode"] = RELATIVE_TO_START
        spec["ratio"] = str((kr.target_value / kr.start_value).quantize(FOUR_PLACES))
        return spec
    previous = None
    if kr.kpi is not None:
        o = kr.objective
        previous = _previous_value(kr.organization, kpi=kr.kpi, start=o.period_start, end=o.period_end)
    if previous:
        spec["mode"] = RELATIVE_TO_PREVIOUS
        spec["ratio"] = str((kr.target_value / previous).quantize(FOUR_PLACES))
    else:
        spec["mode"] = ABSOLUTE
    return spec


@transaction.atomic
def template_save(*, by: Membership, name: str, objectives: list[Objective], description: str = "") -> ObjectiveTemplate:
    """Save these objectives (with their key results, parents kept when both are saved) as a template."""
    _require(by)
    if not objectives:
        raise ValidationError(_("Choose at least one objective to save."))
    if any(o.organization_id != by.organization_id for o in objectives):
        raise ValidationError(_("Objectives must belong to this company."))
    ids = {o.pk for o in objectives}
    payload = []
    for o in sorted(objectives, key=lambda o: (o.parent_id in ids, o.pk)):
        payload.append({
            "ref": o.pk, "parent_ref": o.parent_id if o.parent_id in ids else None, "title": o.title,
            "kind": o.kind, "owner_role": o.owner_role, "description": o.description, "weight": o.weight,
            "check_in_every_days": o.check_in_every_days,
            "key_results": [_key_result_spec(kr) for kr in o.key_results.select_related("kpi", "objective")],
        })
    template = ObjectiveTemplate.objects.create(organization=library_of(by), name=name, description=description,
                                                payload=payload, source_name=by.organization.name,
                                                created_by=by.user)
    audit_log_record(org=by.organization, actor=by.user, action="objective_template.saved", target=template,
                     data={"objectives": len(payload), "library": template.organization.name})
    return template


@dataclass
class ApplyResult:
    organization: Organization
    objectives: list[Objective] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _owner_for(org: Organization, role: str, fallback: Membership) -> Membership:
    return Membership.objects.for_org(org).filter(role=role, engagement__isnull=True).order_by("pk").first() \
        or fallback


def _targets(spec: dict, *, org: Organization, kpi: Kpi | None, start: date, end: date) -> tuple[Decimal, Decimal, str]:
    """(start value, target, note) for this company, scaled as the module docstring says."""
    mode = spec.get("mode", ABSOLUTE)
    ratio = Decimal(spec.get("ratio", "1"))
    source_start, source_target = Decimal(spec["start_value"]), Decimal(spec["target_value"])
    previous = _previous_value(org, kpi=kpi, start=start, end=end) if kpi is not None else None
    if mode == RELATIVE_TO_START:
        if previous is None:
            return source_start, source_target, _("no previous value of %(kpi)s here: source figures copied, "
                                                  "review them") % {"kpi": spec["kpi_slug"]}
        return previous, (previous * ratio).quantize(FOUR_PLACES), ""
    if mode == RELATIVE_TO_PREVIOUS:
        if previous is None:
            return Decimal("0"), source_target, _("no previous value of %(kpi)s here: target copied, review it") \
                % {"kpi": spec["kpi_slug"]}
        return Decimal("0"), (previous * ratio).quantize(FOUR_PLACES), ""
    return source_start, source_target, _("target of “%(title)s” copied as is, review it") % {"title": spec["title"]}


def _period_kind(org: Organization, start: date, end: date) -> str:
    for grain, kind in (("quarter", Objective.PeriodKind.QUARTER), ("year", Objective.PeriodKind.YEAR)):
        p = period_containing(start, grain, org.fiscal_year_start_month)
        if (p.start, p.end) == (start, end):
            return kind
    return Objective.PeriodKind.CUSTOM


@transaction.atomic
def template_apply(*, template: ObjectiveTemplate, memberships: list[Membership], period_start: date,
                   period_end: date) -> list[ApplyResult]:
    """Create the template's objectives in each company where the member (one membership each) may use templates.

    The template must sit in that company's own library or in the library of the consultancy the
    member reaches it through. `objectives.templates` lets the member apply it; each objective inside
    is created only when the member may set its kind there (set_<kind>); the others are skipped with a
    note, and the children of a skipped objective are created without it as parent.
    """
    if not (is_supported_day(period_start) and is_supported_day(period_end)):
        raise ValidationError({"period_start": unsupported_day_message()})
    results = []
    for membership in memberships:
        _require(membership)
        org = membership.organization
        if template.organization_id not in (org.pk, library_of(membership).pk):
            raise PermissionDenied(_("This template is not available to %(org)s.") % {"org": org.name})
        with rls.org_context(org):  # a consultant applies it in each client's own tenant
            result = ApplyResult(organization=org)
            period_kind = _period_kind(org, period_start, period_end)
            kpis = {k.slug: k for k in Kpi.objects.for_org(org)}
            created: dict[int, Objective] = {}
            for item in template.payload:
                if not can_set_kind(membership, item["kind"]):
                    result.notes.append(
                        _("“%(title)s” skipped: your role may not set %(kind)s objectives here.")
                        % {"title": item["title"], "kind": Objective.Kind(item["kind"]).label.lower()})
                    continue
                owner = _owner_for(org, item["owner_role"], membership)
                objective = Objective.objects.create(
                    organization=org, title=item["title"], kind=item["kind"], description=item.get("description", ""),
                    period_kind=period_kind, period_start=period_start, period_end=period_end, owner=owner,
                    owner_role=item["owner_role"], parent=created.get(item.get("parent_ref")),
                    weight=item.get("weight", 1), check_in_every_days=item.get("check_in_every_days", 7),
                    created_by=membership.user)
                created[item["ref"]] = objective
                for spec in item.get("key_results", []):
                    kpi = kpis.get(spec["kpi_slug"]) if spec["kpi_slug"] and not spec.get("is_manual") else None
                    start, target, note = _targets(spec, org=org, kpi=kpi, start=period_start, end=period_end)
                    is_manual = kpi is None
                    if is_manual and spec["kpi_slug"] and not spec.get("is_manual"):
                        note = _("KPI %(kpi)s is not in this company's catalogue: “%(title)s” is manual") % {
                            "kpi": spec["kpi_slug"], "title": spec["title"]}
                    if spec["direction"] == KeyResult.Direction.INCREASE and target < start or \
                            spec["direction"] == KeyResult.Direction.DECREASE and target > start:
                        target = start
                    KeyResult.objects.create(
                        organization=org, objective=objective, title=spec["title"], kpi=kpi, is_manual=is_manual,
                        dimension_value=spec.get("dimension_value", ""), start_value=start, target_value=target,
                        direction=spec["direction"], unit=spec.get("unit", ""), weight=spec.get("weight", 1))
                    if note:
                        result.notes.append(note)
                result.objectives.append(objective)
            audit_log_record(org=org, actor=membership.user, action="objective_template.applied", target=template,
                             data={"template": template.name, "objectives": len(result.objectives),
                                   "period": f"{period_start} – {period_end}"})
        results.append(result)
    return results


@transaction.atomic
def template_delete(*, template: ObjectiveTemplate, by: Membership) -> None:
    _require(by)
    audit_log_record(org=by.organization, actor=by.user, action="objective_template.deleted", target=template)
    template.delete()
