"""The capability matrix: each role sets exactly the kinds of objective, and does exactly the actions, the table says."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from accounts.capabilities import Role, role_can
from objectives import services
from objectives.models import Objective
from tests.factories import make_member
from tests.objectives.helpers import make_objective

KIND_CAPABILITY = {"strategic": "objectives.set_strategic", "financial": "objectives.set_financial",
                   "commercial": "objectives.set_commercial", "operational": "objectives.set_operational"}


@pytest.mark.parametrize("kind", Objective.Kind.values)
@pytest.mark.parametrize("role", Role.values)
def test_a_role_creates_an_objective_of_a_kind_only_if_the_table_says_so(acme, role, kind):
    member = make_member(acme, role=role)
    create = lambda: services.objective_create(by=member, title="T", kind=kind, period_start=date(2026, 10, 1),
                                               period_end=date(2026, 12, 31))
    if role_can(role, KIND_CAPABILITY[kind]):
        assert create().owner == member
    else:
        with pytest.raises(PermissionDenied):
            create()


def test_cfo_sets_financial_objectives_coo_operational_cro_commercial_ceo_all():
    assert role_can(Role.CFO, "objectives.set_financial") and not role_can(Role.CFO, "objectives.set_operational")
    assert role_can(Role.COO, "objectives.set_operational") and not role_can(Role.COO, "objectives.set_financial")
    assert role_can(Role.CRO, "objectives.set_commercial") and not role_can(Role.CRO, "objectives.set_financial")
    assert all(role_can(Role.CEO, cap) for cap in KIND_CAPABILITY.values())


@pytest.mark.parametrize("role", Role.values)
def test_check_ins_action_plans_and_reviews_follow_the_table(acme, role):
    member = make_member(acme, role=role)
    objective = make_objective(acme)
    actions = {
        "objectives.check_in": lambda: services.check_in_create(objective=objective, by=member, confidence="on_track"),
        "action_plans.manage": lambda: services.action_plan_create(objective=objective, by=member, title="P",
                                                                   due_date=date(2026, 12, 1)),
        "reviews.manage": lambda: services.review_create(by=member, title="R", held_on=date(2026, 11, 2)),
        "objectives.templates": lambda: services.template_save(by=member, name="T", objectives=[objective]),
    }
    for capability, act in actions.items():
        if role_can(role, capability):
            assert act() is not None, capability
        else:
            with pytest.raises(PermissionDenied):
                act()


def test_cro_cannot_change_the_target_of_a_financial_key_result(acme, alice):
    from tests.objectives.helpers import make_key_result

    cro = make_member(acme, role=Role.CRO)
    kr = make_key_result(make_objective(acme, owner=alice), target="500000")
    with pytest.raises(PermissionDenied):
        services.key_result_update(key_result=kr, by=cro, target_value=400000)


def test_a_viewer_opening_the_new_objective_page_is_told_rather_than_refused(client, acme):
    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    response = client.get(f"/o/{acme.slug}/objectives/new/")
    assert response.status_code == 200
    assert b"may not set objectives" in response.content
