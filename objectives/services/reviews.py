"""Reviews: the finance–operations meeting record, with the progress of what was discussed frozen that day."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership
from kpis.periods import is_supported_day, unsupported_day_message
from objectives.models import ActionPlan, Objective, Review


def _require(by: Membership) -> None:
    if not by.can("reviews.manage"):
        raise PermissionDenied(_("Your role may not record reviews."))


def review_snapshot(*, org, objectives: list[Objective], on: date) -> list[dict]:
    """Progress, risk and status of each objective as they stand on `on`, in plain JSON."""
    from objectives.selectors import objectives_with_risk

    rows = []
    for node in objectives_with_risk(org, objectives=objectives, today=on):
        o = node.objective
        rows.append({
            "objective_id": o.pk, "title": o.title, "kind": o.kind, "status": o.status,
            "owner": str(o.owner.user) if o.owner else "",
            "progress": node.progress_pct, "elapsed": node.elapsed_pct,
            "risk": node.risk.score if node.risk else None, "level": node.risk.level if node.risk else "no_data",
            "key_results": [{"title": k.kr.title, "current": str(k.current) if k.current is not None else None,
                             "target": str(k.kr.target_value), "progress": k.progress_pct} for k in node.key_results],
        })
    return rows


def _validate(org, participants, objectives, follow_ups, held_on: date) -> None:
    if not is_supported_day(held_on):
        raise ValidationError({"held_on": unsupported_day_message()})
    if any(m.organization_id != org.pk for m in participants):
        raise ValidationError({"participants": _("Participants must be members of this company.")})
    if any(o.organization_id != org.pk for o in objectives) or any(p.organization_id != org.pk for p in follow_ups):
        raise ValidationError(_("Objectives and action plans must belong to this company."))


@transaction.atomic
def review_create(*, by: Membership, title: str, held_on: date, participants: list[Membership] = (),
                  objectives: list[Objective] = (), decisions: str = "",
                  follow_ups: list[ActionPlan] = ()) -> Review:
    """Record a review; the snapshot freezes each discussed objective's progress and risk on `held_on`."""
    _require(by)
    org = by.organization
    _validate(org, participants, objectives, follow_ups, held_on)
    review = Review.objects.create(organization=org, title=title, held_on=held_on, decisions=decisions,
                                   snapshot=review_snapshot(org=org, objectives=list(objectives), on=held_on),
                                   created_by=by.user)
    review.participants.set(participants)
    review.objectives.set(objectives)
    review.follow_ups.set(follow_ups)
    audit_log_record(org=org, actor=by.user, action="review.created", target=review,
                     data={"held_on": str(held_on), "objectives": len(objectives)})
    return review


@transaction.atomic
def review_update(*, review: Review, by: Membership, title: str, held_on: date, participants: list[Membership],
                  objectives: list[Objective], decisions: str, follow_ups: list[ActionPlan],
                  refresh_snapshot: bool = False) -> Review:
    """Edit the record; the snapshot stays as it was unless asked (or the objectives discussed change)."""
    _require(by)
    org = review.organization
    _validate(org, participants, objectives, follow_ups, held_on)
    before = set(review.objectives.values_list("pk", flat=True))
    review.title, review.held_on, review.decisions = title, held_on, decisions
    if refresh_snapshot or before != {o.pk for o in objectives}:
        review.snapshot = review_snapshot(org=org, objectives=list(objectives), on=held_on)
    review.save(update_fields=["title", "held_on", "decisions", "snapshot"])
    review.participants.set(participants)
    review.objectives.set(objectives)
    review.follow_ups.set(follow_ups)
    audit_log_record(org=org, actor=by.user, action="review.updated", target=review)
    return review
