"""The cascade page: the tree with progress and risk, filters, and a query count that does not grow with the tree."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from objectives.models import Objective
from tests.factories import make_member
from tests.objectives.helpers import (
    Q4,
    make_action_plan,
    make_check_in,
    make_key_result,
    make_kpi,
    make_kpi_value,
    make_objective,
)

URL = "/o/acme/objectives/?period=2026-10-01/2026-12-31"


def _grow(org, owner, coo, kpi, n):
    for _ in range(n):
        parent = make_objective(org, owner=owner)
        make_key_result(parent, kpi=kpi, target="500000")
        make_check_in(parent, on=Q4[0])
        child = make_objective(org, owner=coo, parent=parent, kind=Objective.Kind.OPERATIONAL)
        make_key_result(child, kpi=kpi, target="1000")
        make_key_result(child, start="0", target="10", manual_value="3")
        make_action_plan(child)


def _count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_cascade_makes_the_same_number_of_queries_for_2_or_20_objectives(client, acme, alice, bob):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="200000")
    client.force_login(alice.user)
    _grow(acme, alice, bob, revenue, 1)
    _count(client)  # warms the forecast cache
    small = _count(client)
    _grow(acme, alice, bob, revenue, 9)
    _count(client)
    assert _count(client) == small


def test_the_cascade_stays_within_its_query_budget(client, acme, alice, bob, django_assert_max_num_queries):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="200000")
    _grow(acme, alice, bob, revenue, 5)
    client.force_login(alice.user)
    client.get(URL)
    with django_assert_max_num_queries(12):  # 11 today: 5 per request (session, user, membership, MFA, switcher)
        client.get(URL)


def test_the_tree_shows_children_under_their_parent_with_progress_and_risk(client, acme, alice, bob):
    parent = make_objective(acme, owner=alice, title="Invoice 500 K€ in Q4")
    make_key_result(parent, start="0", target="10", manual_value="5")
    make_objective(acme, owner=bob, parent=parent, kind=Objective.Kind.OPERATIONAL, title="Ship 250 orders a week")
    client.force_login(alice.user)
    page = client.get(URL).content.decode()
    assert page.index("Invoice 500 K€ in Q4") < page.index("Ship 250 orders a week")
    assert 'data-testid="risk"' in page and "50 %" in page


def test_filtering_by_role_keeps_the_matching_objectives(client, acme, alice, bob):
    parent = make_objective(acme, owner=alice, title="Financial target")
    make_objective(acme, owner=bob, parent=parent, kind=Objective.Kind.OPERATIONAL, title="Operational route")
    client.force_login(alice.user)
    page = client.get(URL + "&role=coo").content.decode()
    assert "Operational route" in page and "Financial target" not in page


def test_collapsing_a_branch_returns_only_its_toggle(client, acme, alice, bob):
    parent = make_objective(acme, owner=alice)
    make_objective(acme, owner=bob, parent=parent, kind=Objective.Kind.OPERATIONAL, title="Hidden child")
    client.force_login(alice.user)
    collapsed = client.get(f"/o/acme/objectives/{parent.pk}/children/?expanded=0", HTTP_HX_REQUEST="true")
    expanded = client.get(f"/o/acme/objectives/{parent.pk}/children/?expanded=1", HTTP_HX_REQUEST="true")
    assert "Hidden child" not in collapsed.content.decode() and "Show 1 sub-objective" in collapsed.content.decode()
    assert "Hidden child" in expanded.content.decode()


def test_quick_check_in_from_the_tree_returns_the_refreshed_row(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(alice.user)
    response = client.post(f"/o/acme/objectives/{objective.pk}/check-in/", {"confidence": "at_risk", "note": "Slow"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="node-row-{objective.pk}"' in response.content.decode()
    assert response["HX-Trigger"] == "objectives:checked-in"
    assert objective.check_ins.get().confidence == "at_risk"


def test_a_viewer_sees_the_tree_without_the_quick_check_in(client, acme, alice):
    make_objective(acme, owner=alice)
    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    page = client.get(URL).content.decode()
    assert "quick-check-in" not in page


def test_action_plans_show_as_the_team_level_under_their_objective(client, acme, alice, bob):
    objective = make_objective(acme, owner=bob, kind=Objective.Kind.OPERATIONAL)
    plan = make_action_plan(objective)
    client.force_login(alice.user)
    assert f"#plan-{plan.pk}" in client.get(URL).content.decode()


def test_an_invalid_quick_check_in_comes_back_with_its_error(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(alice.user)
    response = client.post(f"/o/acme/objectives/{objective.pk}/check-in/", {"confidence": "sure"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert "HX-Trigger" not in response
    assert not objective.check_ins.exists()


def test_an_overdue_action_plan_is_flagged_in_the_tree(client, acme, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    objective = make_objective(acme, owner=bob, kind=Objective.Kind.OPERATIONAL)
    plan = make_action_plan(objective)
    plan.due_date = timezone.localdate() - timedelta(days=1)
    plan.save(update_fields=["due_date"])
    client.force_login(alice.user)
    assert "overdue-flag" in client.get(URL).content.decode()


def test_any_fiscal_quarter_can_be_shown_and_a_made_up_period_falls_back_to_the_current_quarter(client, acme, alice):
    make_objective(acme, owner=alice, title="Old target", start=date(2024, 1, 1), end=date(2024, 3, 31))
    client.force_login(alice.user)
    assert "Old target" in client.get("/o/acme/objectives/?period=2024-01-01/2024-03-31").content.decode()
    assert "Old target" not in client.get("/o/acme/objectives/?period=2024-01-01/2024-02-11").content.decode()
