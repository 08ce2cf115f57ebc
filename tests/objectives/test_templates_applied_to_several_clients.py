"""A consultant saves an objective set from one client and applies it to two others at once."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from accounts.capabilities import Role
from objectives import services
from objectives.models import KeyResult, Objective
from tests.factories import make_engagement, make_member, make_org
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

Q1 = (date(2027, 1, 1), date(2027, 3, 31))


@pytest.fixture
def consultant(capfirm):
    return make_member(capfirm, role=Role.COO, email="olivier@capfirm.test")


def _client(consultant, *, role=Role.CFO):
    org = make_org()
    make_member(org, role=Role.CFO)
    engagement = make_engagement(client=org, consultant=consultant, role=role)
    cost = make_kpi(org, slug="cost_per_unit", direction="lower", owner_role=Role.COO)
    return engagement.membership, cost


def test_a_template_saved_by_a_consultant_goes_to_the_consultancy_library(acme, capfirm, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    objective = make_objective(acme, kind=Objective.Kind.OPERATIONAL)
    template = services.template_save(by=source, name="Cut unit costs", objectives=[objective])
    assert template.organization == capfirm and template.source_name == "Acme"


def test_applying_to_two_clients_scales_targets_to_each_clients_own_figures(acme, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    cost = make_kpi(acme, slug="cost_per_unit", direction="lower", owner_role=Role.COO)
    parent = make_objective(acme, title="Protect the margin")
    child = make_objective(acme, kind=Objective.Kind.OPERATIONAL, parent=parent, title="Cut cost per unit by 8 %")
    make_key_result(child, kpi=cost, start="50", target="46", direction=KeyResult.Direction.DECREASE)
    template = services.template_save(by=source, name="Margin", objectives=[parent, child])

    (first, first_cost), (second, second_cost) = _client(consultant, role=Role.CEO), _client(consultant, role=Role.CEO)
    # Previous quarter (Q4 2026) values: 20 € and 100 €; each keeps the −8 %: 18.40 € and 92 €.
    make_kpi_value(first.organization, kpi=first_cost, value="20")
    make_kpi_value(second.organization, kpi=second_cost, value="100")
    results = services.template_apply(template=template, memberships=[first, second], period_start=Q1[0],
                                      period_end=Q1[1])

    assert [len(r.objectives) for r in results] == [2, 2]
    for membership, expected in ((first, (D("20"), D("18.40"))), (second, (D("100"), D("92")))):
        child = Objective.objects.for_org(membership.organization).get(title="Cut cost per unit by 8 %")
        assert child.parent.title == "Protect the margin"
        kr = child.key_results.get()
        assert (kr.start_value, kr.target_value) == expected
        assert kr.kpi.organization == membership.organization


def test_a_client_without_the_kpi_gets_a_manual_key_result_and_a_note(acme, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    nps = make_kpi(acme, slug="nps", unit="count")
    objective = make_objective(acme)
    make_key_result(objective, kpi=nps, start="30", target="40")
    template = services.template_save(by=source, name="NPS", objectives=[objective])
    client_membership, _cost = _client(consultant)
    [result] = services.template_apply(template=template, memberships=[client_membership], period_start=Q1[0],
                                       period_end=Q1[1])
    assert result.objectives[0].key_results.get().is_manual
    assert any("nps" in note for note in result.notes)


def test_a_consultant_engaged_without_the_templates_capability_cannot_apply(acme, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    template = services.template_save(by=source, name="T", objectives=[make_objective(acme)])
    as_cro, _cost = _client(consultant, role=Role.CRO)
    with pytest.raises(PermissionDenied):
        services.template_apply(template=template, memberships=[as_cro], period_start=Q1[0], period_end=Q1[1])


def test_applying_from_the_consultancy_page_creates_objectives_in_each_chosen_client(client, acme, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    template = services.template_save(by=source, name="T", objectives=[make_objective(acme, title="Grow")])
    (first, _), (second, _) = _client(consultant), _client(consultant)
    client.force_login(consultant.user)
    response = client.post(f"/o/capfirm/objectives/templates/{template.pk}/apply/", {
        "companies": [first.pk, second.pk], "period_start": "2027-01-01", "period_end": "2027-03-31"})
    assert response.status_code == 302
    for m in (first, second):
        assert Objective.objects.for_org(m.organization).filter(title="Grow").count() == 1
