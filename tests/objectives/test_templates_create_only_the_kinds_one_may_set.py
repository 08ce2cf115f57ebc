"""Applying a template creates only the objectives whose kind the member may set in that company; the
others are skipped with a note (issue #9: a COO created financial objectives by applying a template)."""

from datetime import date

import pytest

from accounts.capabilities import Role
from objectives import services
from objectives.models import Objective
from tests.factories import make_engagement, make_member, make_org
from tests.objectives.helpers import make_objective

Q1 = (date(2027, 1, 1), date(2027, 3, 31))


@pytest.fixture
def consultant(capfirm):
    return make_member(capfirm, role=Role.COO)


@pytest.fixture
def template(acme, consultant):
    source = make_engagement(client=acme, consultant=consultant, role=Role.CEO).membership
    financial = make_objective(acme, kind=Objective.Kind.FINANCIAL, title="Invoice 500 K€")
    operational = make_objective(acme, kind=Objective.Kind.OPERATIONAL, title="Ship in 24 h", parent=financial)
    return services.template_save(by=source, name="Q1", objectives=[financial, operational])


def test_a_coo_applying_a_template_creates_no_financial_objective(template, consultant):
    company = make_org()
    coo = make_engagement(client=company, consultant=consultant, role=Role.COO).membership
    [result] = services.template_apply(template=template, memberships=[coo], period_start=Q1[0], period_end=Q1[1])

    kinds = set(Objective.objects.for_org(company).values_list("kind", flat=True))
    assert kinds == {Objective.Kind.OPERATIONAL}
    assert Objective.objects.for_org(company).get().parent is None
    assert any("Invoice 500 K€" in note and "skipped" in note for note in result.notes)


def test_a_ceo_applying_it_creates_every_kind(template, consultant):
    company = make_org()
    ceo = make_engagement(client=company, consultant=consultant, role=Role.CEO).membership
    services.template_apply(template=template, memberships=[ceo], period_start=Q1[0], period_end=Q1[1])
    assert Objective.objects.for_org(company).count() == 2
