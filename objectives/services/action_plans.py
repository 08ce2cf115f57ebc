"""Action plans (initiatives): owner, team, due date, status, the key results they serve and a short checklist."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership
from kpis.periods import is_supported_day, unsupported_day_message
from objectives.models import ActionPlan, KeyResult, Objective

MAX_CHECKLIST_ITEMS = 20
AUDITED_FIELDS = ("title", "owner_id", "team", "due_date", "status")


def _require(by: Membership) -> None:
    if not by.can("action_plans.manage"):
        raise PermissionDenied(_("Your role may not manage action plans."))


def checklist_from_text(text: str, *, previous: list[dict] | None = None) -> list[dict]:
    """One item per line; an item keeps its ticked state when its text is unchanged."""
    done = {item["text"]: item.get("done", False) for item in (previous or [])}
    items = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        if line:
            items.append({"text": line[:200], "done": done.get(line[:200], False)})
    return items


def _validate(plan: ActionPlan, key_results: list[KeyResult]) -> None:
    errors = {} if is_supported_day(plan.due_date) else {"due_date": unsupported_day_message()}
    if plan.owner is not None and plan.owner.organization_id != plan.organization_id:
        errors["owner"] = _("The owner must be a member of this company.")
    if any(kr.objective_id != plan.objective_id for kr in key_results):
        errors["key_results"] = _("An action plan serves key results of its own objective.")
    if len(plan.checklist) > MAX_CHECKLIST_ITEMS:
        errors["checklist"] = _("Keep the checklist short: %(max)s items at most.") % {"max": MAX_CHECKLIST_ITEMS}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_plan_create(*, objective: Objective, by: Membership, title: str, due_date: date,
                       owner: Membership | None = None, team: str = "", status: str = ActionPlan.Status.PLANNED,
                       key_results: list[KeyResult] | None = None, checklist: list[dict] | None = None) -> ActionPlan:
    """Create an initiative under an objective; it serves some of the objective's key results."""
    _require(by)
    key_results = list(key_results or [])
    plan = ActionPlan(organization=objective.organization, objective=objective, title=title, due_date=due_date,
                      owner=owner or by, team=team, status=status, checklist=checklist or [])
    _validate(plan, key_results)
    plan.save()
    plan.key_results.set(key_results)
    audit_log_record(org=plan.organization, actor=by.user, action="action_plan.created", target=plan,
                     data={"objective": objective.title, "owner": str(plan.owner.user), "due": str(due_date)})
    return plan


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, by: Membership, key_results: list[KeyResult] | None = None,
                       **changes) -> ActionPlan:
    _require(by)
    before = {f: getattr(plan, f) for f in AUDITED_FIELDS}
    for name, value in changes.items():
        setattr(plan, name, value)
    _validate(plan, list(key_results or []))
    plan.save()
    if key_results is not None:
        plan.key_results.set(key_results)
    diff = {f: [str(before[f]), str(getattr(plan, f))] for f in AUDITED_FIELDS if before[f] != getattr(plan, f)}
    action = "action_plan.status_changed" if set(diff) == {"status"} else "action_plan.updated"
    audit_log_record(org=plan.organization, actor=by.user, action=action, target=plan, data=diff)
    return plan


@transaction.atomic
def action_plan_checklist_toggle(*, plan: ActionPlan, by: Membership, index: int) -> ActionPlan:
    """Tick or untick one checklist item."""
    _require(by)
    if not 0 <= index < len(plan.checklist):
        raise ValidationError(_("No such checklist item."))
    plan.checklist[index]["done"] = not plan.checklist[index].get("done", False)
    plan.save(update_fields=["checklist"])
    audit_log_record(org=plan.organization, actor=by.user, action="action_plan.checklist_ticked", target=plan,
                     data={"item": plan.checklist[index]["text"], "done": plan.checklist[index]["done"]})
    return plan


@transaction.atomic
def action_plan_delete(*, plan: ActionPlan, by: Membership) -> None:
    _require(by)
    audit_log_record(org=plan.organization, actor=by.user, action="action_plan.deleted", target=plan)
    plan.delete()
