from decimal import Decimal as D

from objectives import services
from tests.objectives.helpers import make_objective


def test_child_rows_carry_their_parents_organization(acme, alice, bob):
    objective = make_objective(acme, owner=alice)
    kr = services.key_result_create(objective=objective, by=alice, title="Revenue", is_manual=True,
                                    start_value=D("0"), target_value=D("10"))
    plan = services.action_plan_create(objective=objective, by=bob, title="Hire", due_date=objective.period_end)
    check_in = services.check_in_create(objective=objective, by=bob, confidence="on_track", key_result=kr,
                                        value=D("3"))
    assert {kr.organization_id, plan.organization_id, check_in.organization_id} == {objective.organization_id}
    kr.refresh_from_db()
    assert kr.manual_value == D("3")

