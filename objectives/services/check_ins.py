"""Check-ins: progress notes with a confidence, kept as history; a manual key result takes its new value here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership
from objectives.models import CheckIn, KeyResult, Objective


@transaction.atomic
def check_in_create(*, objective: Objective, by: Membership, confidence: str, note: str = "",
                    key_result: KeyResult | None = None, confidence_score: int | None = None,
                    value: Decimal | None = None, on: date | None = None) -> CheckIn:
    """Record a check-in on an objective (or one of its key results); never edits earlier ones."""
    if not by.can("objectives.check_in"):
        raise PermissionDenied(_("Your role may not check in on objectives."))
    if key_result is not None and key_result.objective_id != objective.pk:
        raise ValidationError({"key_result": _("Choose a key result of this objective.")})
    if confidence_score is not None and not 1 <= confidence_score <= 10:
        raise ValidationError({"confidence_score": _("Confidence is a score from 1 to 10.")})
    if value is not None and (key_result is None or not key_result.is_manual):
        raise ValidationError({"value": _("Only a manual key result takes a typed value; the others follow "
                                          "their KPI.")})
    check_in = CheckIn.objects.create(
        organization=objective.organization, objective=objective, key_result=key_result, author=by,
        date=on or timezone.localdate(), confidence=confidence, confidence_score=confidence_score,
        value=value, note=note,
    )
    if value is not None:
        key_result.manual_value, key_result.manual_value_at = value, timezone.now()
        key_result.save(update_fields=["manual_value", "manual_value_at"])
    audit_log_record(org=objective.organization, actor=by.user, action="check_in.created", target=objective,
                     data={"confidence": confidence, "score": confidence_score,
                           "key_result": key_result.title if key_result else None,
                           "value": str(value) if value is not None else None})
    return check_in
