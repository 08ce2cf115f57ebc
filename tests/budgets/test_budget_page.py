"""The budgets page: the grid saves a cell with HTMX, says what is wrong, copies versions; who sees what."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import TestCase

from accounts.capabilities import Role
from budgets.models import BudgetLine, BudgetVersion
from tests.budgets.helpers import budget
from tests.conftest import url
from tests.factories import make_member

JANUARY = date(2026, 1, 1)


@pytest.fixture
def initial(acme):
    return budget(acme, JANUARY, {"64": 42000, "706": 90000}, label="Personnel")


def _cell(client, acme, version, amount, *, account="64", month=JANUARY):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url("budgets:budget_cell_save", org_slug=acme.slug, version_id=version.pk),
                           {"account": account, "month": month.isoformat(), "amount": amount}, HTTP_HX_REQUEST="true")


def test_the_cfo_saves_a_cell_and_the_totals_follow(client, acme, alice, initial):
    client.force_login(alice.user)
    response = _cell(client, acme, initial, "43 500,50")
    assert response.status_code == 200
    line = BudgetLine.objects.for_org(acme).get(version=initial, account_number="64", month=JANUARY)
    assert line.amount == Decimal("43500.50")
    body = response.content.decode()
    assert 'id="budget-grid"' in body and "43,500.50" in body  # the row's total: the only amount of the year


def test_an_amount_that_is_not_one_is_refused_with_the_reason_beside_its_cell(client, acme, alice, initial):
    client.force_login(alice.user)
    response = _cell(client, acme, initial, "douze")
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and 'value="douze"' in body
    assert "Type an amount" in body
    assert BudgetLine.objects.for_org(acme).get(version=initial, account_number="64", month=JANUARY).amount == 42000


def test_a_negative_amount_is_refused(client, acme, alice, initial):
    client.force_login(alice.user)
    assert "Type a positive amount" in _cell(client, acme, initial, "-10").content.decode()


def test_copying_a_version_makes_a_revision_with_every_line(client, acme, alice, initial):
    client.force_login(alice.user)
    response = client.post(url("budgets:budget_version_copy", org_slug=acme.slug, version_id=initial.pk), {"name": "Revised"})
    revised = BudgetVersion.objects.for_org(acme).get(name="Revised")
    assert response.status_code == 302 and f"version={revised.pk}" in response["Location"]
    assert not revised.is_reference and revised.copied_from == initial
    def lines(version):
        return sorted(BudgetLine.objects.for_org(acme).filter(version=version)
                      .values_list("account_number", "label", "month", "amount"))

    assert lines(revised) == lines(initial) and len(lines(revised)) == 2


def test_a_copy_needs_a_new_name(client, acme, alice, initial):
    client.force_login(alice.user)
    client.post(url("budgets:budget_version_copy", org_slug=acme.slug, version_id=initial.pk), {"name": "Initial"})
    assert BudgetVersion.objects.for_org(acme).count() == 1


def test_making_a_version_the_reference_leaves_one_reference(client, acme, alice, initial):
    revised = budget(acme, JANUARY, {"64": 1}, version="Revised")
    client.force_login(alice.user)
    client.post(url("budgets:budget_version_reference", org_slug=acme.slug, version_id=revised.pk))
    assert list(BudgetVersion.objects.for_org(acme).filter(is_reference=True)) == [revised]


def test_adding_a_line_gives_it_twelve_months(client, acme, alice, initial):
    client.force_login(alice.user)
    client.post(url("budgets:budget_row_add", org_slug=acme.slug, version_id=initial.pk), {"account": "622", "label": "Honoraires"})
    assert BudgetLine.objects.for_org(acme).filter(version=initial, account_number="622").count() == 12


def test_a_line_outside_classes_6_and_7_is_refused(client, acme, alice, initial):
    client.force_login(alice.user)
    client.post(url("budgets:budget_row_add", org_slug=acme.slug, version_id=initial.pk), {"account": "512", "label": "Banque"})
    assert not BudgetLine.objects.for_org(acme).filter(account_number="512").exists()


def test_who_reads_costs_reads_the_budget_without_inputs(client, acme, initial):
    # the CFO and CEO manage budgets; a member reading costs but not managing them sees amounts, no input
    from accounts import capabilities

    assert capabilities.role_can(Role.CFO, "budgets.manage") and capabilities.role_can(Role.CEO, "budgets.manage")
    ceo = make_member(acme, role=Role.CEO)
    client.force_login(ceo.user)
    assert 'class="cell-input"' in client.get(url("budgets:budget_page", org_slug=acme.slug)).content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN, Role.COO, Role.CRO])
def test_roles_without_cost_detail_never_see_budget_amounts(client, acme, initial, role):
    member = make_member(acme, role=role)
    client.force_login(member.user)
    assert client.get(url("budgets:budget_page", org_slug=acme.slug)).status_code == 403
    assert client.get(url("budgets:budget_page", org_slug=acme.slug) + "?export=csv").status_code == 403
    assert _cell(client, acme, initial, "1").status_code == 403


def test_the_export_holds_the_grid(client, acme, alice, initial):
    client.force_login(alice.user)
    response = client.get(url("budgets:budget_page", org_slug=acme.slug) + "?export=csv")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "Personnel" in text and "42000" in text.replace(" ", "")


def test_another_tenants_version_is_a_404(client, acme, globex, mallory, initial):
    client.force_login(mallory.user)
    assert _cell(client, globex, initial, "1").status_code == 404


@pytest.mark.parametrize("lines", [2, 40])
def test_the_page_makes_the_same_number_of_queries_however_many_lines(client, acme, alice, lines,
                                                                       django_assert_max_num_queries):
    from tests.kpis.engine.records import ledger

    budget(acme, JANUARY, {f"6{i:03d}": 100 + i for i in range(lines)})
    for i in range(lines):
        ledger(acme, f"6{i:03d}00", JANUARY, debit=90)
    client.force_login(alice.user)
    with django_assert_max_num_queries(20):
        response = client.get(url("budgets:budget_page", org_slug=acme.slug) + "?month=2026-01")
    assert response.status_code == 200
    assert response.content.decode().count('class="cell-input"') == lines * 12
