from tests.objectives.helpers import (
    make_action_plan,
    make_check_in,
    make_derived_target,
    make_key_result,
    make_objective,
    make_review,
    make_template,
)


def _key_result_id(org):
    return make_key_result(make_objective(org)).pk


def _action_plan_id(org):
    return make_action_plan(make_objective(org)).pk


URL_KWARG_FACTORIES = {
    "objective_id": lambda org: make_objective(org).pk,
    "key_result_id": _key_result_id,
    "action_plan_id": _action_plan_id,
    "item_index": lambda org: 0,
    "derived_target_id": lambda org: make_derived_target(org).pk,
    "review_id": lambda org: make_review(org).pk,
    "template_id": lambda org: make_template(org).pk,
    "pk@objectives.objective": lambda org: make_objective(org).pk,
    "pk@objectives.keyresult": _key_result_id,
    "pk@objectives.actionplan": _action_plan_id,
    "pk@objectives.checkin": lambda org: make_check_in(make_objective(org)).pk,
}
