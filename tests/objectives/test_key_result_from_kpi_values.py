"""Key-result progress read from the KPI engine's materialised values, on hand-built data."""

from datetime import date
from decimal import Decimal as D

from accounts.capabilities import Role
from objectives.models import KeyResult, Objective
from objectives.selectors import objective_node
from tests.factories import make_member
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

TODAY = date(2026, 11, 15)


def test_revenue_key_result_progress_comes_from_the_quarters_value(acme, alice):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="200000")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.current == D("200000")
    assert kr.progress_pct == 40


def test_cost_per_unit_to_bring_down_progresses_as_it_falls(acme):
    coo = make_member(acme, role=Role.COO)
    cost = make_kpi(acme, slug="cost_per_unit", direction="lower")
    make_kpi_value(acme, kpi=cost, value="47")
    objective = make_objective(acme, kind=Objective.Kind.OPERATIONAL, owner=coo)
    make_key_result(objective, kpi=cost, start="50", target="46", direction=KeyResult.Direction.DECREASE)
    assert objective_node(acme, objective=objective, today=TODAY).key_results[0].progress == D("0.75")


def test_a_value_of_another_period_or_dimension_is_not_used(acme, alice):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="999", start=date(2026, 7, 1), end=date(2026, 9, 30))
    make_kpi_value(acme, kpi=revenue, value="888", dimension_value="retail")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.current is None
    assert kr.is_data_stale


def test_a_manual_key_result_uses_its_typed_value_and_is_marked(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, start="0", target="10", manual_value="4")
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.kr.is_manual and kr.progress_pct == 40
    client.force_login(alice.user)
    page = client.get(f"/o/{acme.slug}/objectives/{objective.pk}/").content.decode()
    assert "manual" in page


def test_parent_progress_rolls_up_from_its_key_result_and_its_children(acme, alice):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="200000")
    parent = make_objective(acme, owner=alice)
    make_key_result(parent, kpi=revenue, start="0", target="500000")  # 40 %
    child = make_objective(acme, owner=alice, parent=parent, weight=3)
    make_key_result(child, start="0", target="10", manual_value="8")  # 80 %
    node = objective_node(acme, objective=parent, today=TODAY)
    # (1 × 0.40 + 3 × 0.80) ÷ 4 = 0.70
    assert node.progress == D("0.7")
