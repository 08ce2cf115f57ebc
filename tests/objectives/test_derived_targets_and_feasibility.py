"""A CFO's revenue target, split by the driver tree (revenue = orders × average basket) into what operations
and sales must deliver; the CFO accepts, the COO adopts. Hand-built KPI values, Q4 2026 (92 days)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from accounts.capabilities import Role
from integrations.models import OperationalValue
from objectives import services
from objectives.derivation import analyse
from objectives.feasibility import BEYOND_CAPACITY
from objectives.models import DerivedTarget, Objective
from tests.factories import make_member
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

TODAY = date(2027, 1, 5)


@pytest.fixture
def target(acme, alice):
    revenue = make_kpi(acme, slug="revenue", formula="revenue_invoices")
    orders = make_kpi(acme, slug="orders", formula="orders_shipped", unit="count", owner_role=Role.COO)
    basket = make_kpi(acme, slug="average_basket", formula="revenue / orders", owner_role=Role.CRO)
    for kpi, value in ((revenue, "300000"), (orders, "2000"), (basket, "150")):
        make_kpi_value(acme, kpi=kpi, value=value)
    OperationalValue.objects.create(organization=acme, source="upload", external_id="cap-1",
                                    series="order_capacity_per_week", date=date(2026, 12, 1), value=D("210"))
    objective = make_objective(acme, owner=alice, title="Invoice 500 K€ in Q4")
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    return objective


def test_feasibility_says_what_operations_must_absorb(acme, target):
    f = analyse(acme, objective=target, today=TODAY).feasibility
    assert f.baseline == D("300000") and f.gap == D("200000")
    orders = f.volume_move
    # 2,000 orders × 500/300 = 3,333.3 over 92/7 = 13.14 weeks: 253.6 a week, against 210 handled at most.
    assert orders.needed_per_week.quantize(D("0.1")) == D("253.6")
    assert f.verdict == BEYOND_CAPACITY
    assert any("210/week at most" in line for line in f.sentences)


def test_the_driver_tree_proposes_orders_up_to_capacity_and_the_rest_on_the_basket(acme, target):
    proposals = {p.kpi.slug: p for p in analyse(acme, objective=target, today=TODAY).proposals}
    # Orders capped at 210 × 13.14 weeks = 2,760; the basket carries the rest: 500,000 ÷ 2,760 = 181.16 €.
    assert proposals["orders"].target_value == D("2760")
    assert proposals["orders"].kind == Objective.Kind.OPERATIONAL
    assert proposals["average_basket"].target_value == D("181.16")
    assert proposals["average_basket"].kind == Objective.Kind.COMMERCIAL


def test_the_cfo_accepts_and_the_coo_adopts_an_adjusted_target_under_the_financial_one(acme, alice, bob, target):
    proposals = analyse(acme, objective=target, today=TODAY).proposals
    services.derived_targets_accept(objective=target, by=alice, proposals=proposals)
    orders = DerivedTarget.objects.for_org(acme).get(kpi__slug="orders")
    adopted = services.derived_target_adopt(derived=orders, by=bob, title="Ship 2,600 orders in Q4",
                                            target_value=D("2600"))
    assert adopted.parent == target and adopted.kind == Objective.Kind.OPERATIONAL and adopted.owner == bob
    assert adopted.key_results.get().target_value == D("2600")
    orders.refresh_from_db()
    assert orders.status == DerivedTarget.Status.ADOPTED


def test_a_cro_cannot_adopt_the_operational_target(acme, alice, target):
    services.derived_targets_accept(objective=target, by=alice,
                                    proposals=analyse(acme, objective=target, today=TODAY).proposals)
    cro = make_member(acme, role=Role.CRO)
    with pytest.raises(PermissionDenied):
        services.derived_target_adopt(derived=DerivedTarget.objects.for_org(acme).get(kpi__slug="orders"), by=cro,
                                      title="Mine")


def test_the_coo_cannot_accept_derived_targets_for_the_cfo(acme, bob, target):
    with pytest.raises(PermissionDenied):
        services.derived_targets_accept(objective=target, by=bob,
                                        proposals=analyse(acme, objective=target, today=TODAY).proposals)


def test_the_objective_page_shows_the_feasibility_check(client, acme, alice, target):
    client.force_login(alice.user)
    page = client.get(f"/o/acme/objectives/{target.pk}/").content.decode()
    assert 'data-testid="feasibility"' in page


def test_a_b2b_company_gets_the_pipeline_coverage_its_win_rate_requires(acme, alice, target):
    win_rate = make_kpi(acme, slug="win_rate_6m", unit="percent", owner_role=Role.CRO)
    make_kpi_value(acme, kpi=win_rate, value="25")
    make_kpi(acme, slug="pipeline_coverage", unit="ratio", owner_role=Role.CRO)
    pipeline = {p.kpi.slug: p for p in analyse(acme, objective=target, today=TODAY).proposals}["pipeline_coverage"]
    # 25 % win rate → coverage 4; 200,000 € still to win ÷ 25 % = 800,000 € of pipeline.
    assert pipeline.target_value == D("4.00") and pipeline.kind == Objective.Kind.COMMERCIAL
    assert "800,000" in pipeline.rationale
