"""Writes of the cascade, one module per subdomain; every change is audited (accounts.audit)."""

from objectives.services.action_plans import (  # noqa: F401
    action_plan_checklist_toggle,
    action_plan_create,
    action_plan_delete,
    action_plan_update,
)
from objectives.services.check_ins import check_in_create  # noqa: F401
from objectives.services.derived import derived_target_adopt, derived_targets_accept  # noqa: F401
from objectives.services.objectives import (  # noqa: F401
    KIND_CAPABILITY,
    can_set_kind,
    key_result_create,
    key_result_delete,
    key_result_update,
    objective_create,
    objective_update,
)
from objectives.services.reminders import check_in_reminders_send  # noqa: F401
from objectives.services.reviews import review_create, review_update  # noqa: F401
from objectives.services.templates import template_apply, template_delete, template_save  # noqa: F401
