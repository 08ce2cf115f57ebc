from decimal import Decimal as D

from accounts.models import AuditEvent
from objectives import services
from tests.objectives.helpers import make_key_result, make_objective


def _last(org):
    return AuditEvent.objects.for_org(org).first()


def test_a_new_target_is_audited_with_its_old_and_new_values(acme, alice):
    kr = make_key_result(make_objective(acme, owner=alice), target="500000")
    services.key_result_update(key_result=kr, by=alice, target_value=D("450000"))
    event = _last(acme)
    assert event.action == "key_result.target_changed" and event.actor == alice.user
    assert event.data["target_value"] == ["500000", "450000"]


def test_a_change_of_owner_and_of_status_are_audited(acme, alice, acme_ceo):
    objective = make_objective(acme, owner=alice)
    services.objective_update(objective=objective, by=alice, owner=acme_ceo)
    assert _last(acme).data["owner_id"] == [alice.pk, str(acme_ceo.user)]
    services.objective_update(objective=objective, by=alice, status="achieved")
    event = _last(acme)
    assert event.action == "objective.status_changed" and event.data == {"status": ["active", "achieved"]}


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

