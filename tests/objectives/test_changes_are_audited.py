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

