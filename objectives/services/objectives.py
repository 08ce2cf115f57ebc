"""Objectives and their key results: who may set which kind, validation, and the audit of every change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership
from kpis.models import Kpi
from kpis.periods import is_supported_day, unsupported_day_message
from objectives.models import KeyResult, Objective

KIND_CAPABILITY = {
    Objective.Kind.STRATEGIC: "objectives.set_strategic",
    Objective.Kind.FINANCIAL: "objectives.set_financial",
    Objective.Kind.COMMERCIAL: "objectives.set_commercial",
    Objective.Kind.OPERATIONAL: "objectives.set_operational",
}
AUDITED_OBJECTIVE_FIELDS = ("title", "kind", "owner_id", "owner_role", "parent_id", "status", "period_start",
                            "period_end", "weight", "check_in_every_days", "team", "description")
AUDITED_KEY_RESULT_FIELDS = ("title", "kpi_id", "dimension_value", "start_value", "target_value", "direction",
                             "unit", "weight", "is_manual")


def can_set_kind(membership: Membership, kind: str) -> bool:
    return membership.can(KIND_CAPABILITY[kind])


def _require_kind(membership: Membership, kind: str) -> None:
    if not can_set_kind(membership, kind):
        raise PermissionDenied(_("Your role may not set %(kind)s objectives.")
                               % {"kind": Objective.Kind(kind).label.lower()})


def _plain(value):
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _validate_objective(objective: Objective) -> None:
    errors = {name: unsupported_day_message() for name in ("period_start", "period_end")
              if not is_supported_day(getattr(objective, name))}
    if objective.period_end < objective.period_start:
        errors["period_end"] = _("The period must end after it starts.")
    if objective.owner is not None and objective.owner.organization_id != objective.organization_id:
        errors["owner"] = _("The owner must be a member of this company.")
    parent = objective.parent
    if parent is not None:
        if parent.organization_id != objective.organization_id:
            errors["parent"] = _("The parent objective must belong to this company.")
        elif objective.pk and _is_descendant(parent, objective):
            errors["parent"] = _("An objective cannot sit under itself or one of its own children.")
        elif objective.period_start < parent.period_start or objective.period_end > parent.period_end:
            errors["parent"] = _("The period must fall within the parent objective's period (%(start)s – %(end)s).") \
                % {"start": parent.period_start, "end": parent.period_end}
    if errors:
        raise ValidationError(errors)


def _is_descendant(candidate: Objective, ancestor: Objective) -> bool:
    """Whether `candidate` is `ancestor` or sits somewhere under it (walks up; trees are shallow)."""
    node, seen = candidate, set()
    while node is not None and node.pk not in seen:
        if node.pk == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@transaction.atomic
def objective_create(*, by: Membership, title: str, kind: str, period_start: date, period_end: date,
                     period_kind: str = Objective.PeriodKind.QUARTER, owner: Membership | None = None,
                     owner_role: str = "", parent: Objective | None = None, description: str = "",
                     status: str = Objective.Status.ACTIVE, weight: int = 1, check_in_every_days: int = 7,
                     team: str = "") -> Objective:
    """Create an objective of a kind the member's role may set; the owner defaults to the member."""
    _require_kind(by, kind)
    owner = owner or by
    objective = Objective(
        organization=by.organization, title=title, kind=kind, period_kind=period_kind, period_start=period_start,
        period_end=period_end, owner=owner, owner_role=owner_role or owner.role, parent=parent,
        description=description, status=status, weight=weight, check_in_every_days=check_in_every_days, team=team,
        created_by=by.user,
    )
    _validate_objective(objective)
    objective.save()
    audit_log_record(org=objective.organization, actor=by.user, action="objective.created", target=objective,
                     data={"kind": kind, "owner": str(owner.user), "status": status,
                           "period": f"{period_start} – {period_end}"})
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, by: Membership, **changes) -> Objective:
    """Change an objective's fields; the member needs the capability of its kind (old and new).

    A change that changes nothing is a no-op and needs no capability."""
    kind_before = objective.kind
    before = {f: getattr(objective, f) for f in AUDITED_OBJECTIVE_FIELDS}
    for name, value in changes.items():
        setattr(objective, name, value)
    if "owner" in changes and changes["owner"] is not None and "owner_role" not in changes:
        objective.owner_role = changes["owner"].role
    _validate_objective(objective)
    after = {f: getattr(objective, f) for f in AUDITED_OBJECTIVE_FIELDS}
    diff = {f: [_plain(before[f]), _plain(after[f])] for f in AUDITED_OBJECTIVE_FIELDS if before[f] != after[f]}
    if not diff:
        return objective
    _require_kind(by, kind_before)
    _require_kind(by, objective.kind)
    fields = sorted({f.removesuffix("_id") for f in diff} | {"updated_at"})
    objective.save(update_fields=fields)
    if "owner_id" in diff:
        diff["owner_id"] = [diff["owner_id"][0], str(objective.owner.user) if objective.owner else None]
    action = "objective.status_changed" if set(diff) == {"status"} else "objective.updated"
    audit_log_record(org=objective.organization, actor=by.user, action=action, target=objective, data=diff)
    return objective


def _validate_key_result(kr: KeyResult) -> None:
    errors = {}
    if kr.is_manual:
        kr.kpi = None
    elif kr.kpi is None:
        errors["kpi"] = _("Choose the KPI this key result follows, or mark it as manual.")
    elif kr.kpi.organization_id != kr.organization_id:
        errors["kpi"] = _("Choose a KPI of this company.")
    if kr.direction == KeyResult.Direction.INCREASE and kr.target_value < kr.start_value:
        errors["target_value"] = _("A key result that should increase needs a target above its start value.")
    if kr.direction == KeyResult.Direction.DECREASE and kr.target_value > kr.start_value:
        errors["target_value"] = _("A key result that should decrease needs a target below its start value.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def key_result_create(*, objective: Objective, by: Membership, title: str, kpi: Kpi | None = None,
                      start_value: Decimal, target_value: Decimal, direction: str = KeyResult.Direction.INCREASE,
                      dimension_value: str = "", unit: str = "", weight: int = 1, is_manual: bool = False,
                      manual_value: Decimal | None = None) -> KeyResult:
    """Bind the objective to a KPI (or a manual value) with a start, a target and a direction."""
    _require_kind(by, objective.kind)
    kr = KeyResult(organization=objective.organization, objective=objective, title=title, kpi=kpi,
                   dimension_value=dimension_value, start_value=start_value, target_value=target_value,
                   direction=direction, unit=unit, weight=weight, is_manual=is_manual)
    if is_manual and manual_value is not None:
        kr.manual_value, kr.manual_value_at = manual_value, timezone.now()
    _validate_key_result(kr)
    kr.save()
    audit_log_record(org=objective.organization, actor=by.user, action="key_result.created", target=kr,
                     data={"objective": objective.title, "kpi": kpi.slug if kpi else "manual",
                           "start": str(start_value), "target": str(target_value), "direction": direction})
    return kr


@transaction.atomic
def key_result_update(*, key_result: KeyResult, by: Membership, **changes) -> KeyResult:
    """Change a key result; a new target is audited with its old and new values (a no-op needs no capability)."""
    before = {f: getattr(key_result, f) for f in AUDITED_KEY_RESULT_FIELDS}
    for name, value in changes.items():
        setattr(key_result, name, value)
    _validate_key_result(key_result)
    after = {f: getattr(key_result, f) for f in AUDITED_KEY_RESULT_FIELDS}
    diff = {f: [_plain(before[f]), _plain(after[f])] for f in AUDITED_KEY_RESULT_FIELDS if before[f] != after[f]}
    if not diff:
        return key_result
    _require_kind(by, key_result.objective.kind)
    key_result.save(update_fields=sorted({f.removesuffix("_id") for f in diff}))
    action = "key_result.target_changed" if "target_value" in diff else "key_result.updated"
    audit_log_record(org=key_result.organization, actor=by.user, action=action, target=key_result, data=diff)
    return key_result


@transaction.atomic
def key_result_delete(*, key_result: KeyResult, by: Membership) -> None:
    _require_kind(by, key_result.objective.kind)
    audit_log_record(org=key_result.organization, actor=by.user, action="key_result.deleted", target=key_result,
                     data={"objective": key_result.objective.title})
    key_result.delete()
