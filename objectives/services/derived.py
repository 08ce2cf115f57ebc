"""Derived targets: the CFO accepts what the driver tree proposes; the COO and CRO adopt them as their objectives."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership
from objectives.models import DerivedTarget, Objective
from objectives.services.objectives import KIND_CAPABILITY, key_result_create, objective_create


@transaction.atomic
def derived_targets_accept(*, objective: Objective, by: Membership, proposals: list) -> list[DerivedTarget]:
    """Keep the proposals (objectives.derivation.Proposal) under the financial objective, replacing unadopted ones."""
    if objective.kind != Objective.Kind.FINANCIAL:
        raise ValidationError(_("Derived targets hang under a financial objective."))
    if not by.can(KIND_CAPABILITY[objective.kind]):
        raise PermissionDenied(_("Your role may not set financial objectives."))
    kept = {d.kpi_id: d for d in DerivedTarget.objects.for_org(objective.organization).filter(objective=objective)}
    accepted = []
    for p in proposals:
        if p.kpi.organization_id != objective.organization_id:
            raise ValidationError(_("Proposals must use this company's KPIs."))
        existing = kept.get(p.kpi.pk)
        if existing is not None and existing.status == DerivedTarget.Status.ADOPTED:
            accepted.append(existing)
            continue
        derived, _created = DerivedTarget.objects.update_or_create(
            organization=objective.organization, objective=objective, kpi=p.kpi,
            defaults={"kind": p.kind, "start_value": p.start_value, "target_value": p.target_value,
                      "direction": p.direction, "rationale": p.rationale[:300],
                      "status": DerivedTarget.Status.ACCEPTED, "accepted_by": by.user})
        accepted.append(derived)
    audit_log_record(org=objective.organization, actor=by.user, action="objective.derived_targets_accepted",
                     target=objective, data={d.kpi.slug: str(d.target_value) for d in accepted})
    return accepted


@transaction.atomic
def derived_target_adopt(*, derived: DerivedTarget, by: Membership, title: str,
                         target_value: Decimal | None = None) -> Objective:
    """Turn an accepted driver target into the member's own objective under the financial one (target adjustable)."""
    if derived.status == DerivedTarget.Status.ADOPTED:
        raise ValidationError(_("This target has already been adopted."))
    parent = derived.objective
    objective = objective_create(by=by, title=title, kind=derived.kind, period_start=parent.period_start,
                                 period_end=parent.period_end, period_kind=parent.period_kind, parent=parent)
    target = derived.target_value if target_value is None else target_value
    key_result_create(objective=objective, by=by, title=derived.kpi.name, kpi=derived.kpi,
                      start_value=derived.start_value, target_value=target, direction=derived.direction,
                      unit=derived.kpi.get_unit_display())
    derived.status, derived.adopted_objective = DerivedTarget.Status.ADOPTED, objective
    derived.save(update_fields=["status", "adopted_objective"])
    audit_log_record(org=parent.organization, actor=by.user, action="objective.derived_target_adopted",
                     target=objective, data={"kpi": derived.kpi.slug, "proposed": str(derived.target_value),
                                             "adopted": str(target)})
    return objective


