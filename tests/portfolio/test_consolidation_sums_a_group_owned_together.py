"""Consolidation: a holding and its subsidiaries, summed; ratios recomputed; intercompany flows left out;
nothing of a company is summed before its CEO approved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.capabilities import Role
from accounts.models import Engagement
from integrations.models import Customer, Invoice, Supplier
from portfolio.clients import reading_clients
from portfolio.consolidation import consolidated_view
from portfolio.models import ConsolidationMember
from portfolio.services import consolidation_declare, consolidation_member_approve, intercompany_mark
from tests.conftest import url
from tests.factories import make_member
from tests.portfolio.helpers import (
    client_of,
    consultant_of,
    figures,
    month,
    query_counts_and_contributions,
)

pytestmark = pytest.mark.django_db


def _company(olivier, name, *, revenue, cogs, cash, receivables, sales_incl_vat, ebe):
    org = client_of(olivier, name=name, role=Role.CFO)
    figures(org, revenue=revenue, cogs=cogs, ebe=ebe, cash=cash, receivables=receivables,
            sales_incl_vat=sales_incl_vat)
    return org


def _approve_all(consolidation):
    for m in ConsolidationMember.objects.filter(consolidation=consolidation):
        ceo = make_member(m.organization, role=Role.CEO)
        consolidation_member_approve(member=m, by=ceo)


def _view(member, consolidation):
    with reading_clients(member) as clients:
        return consolidated_view(consolidation, clients)


@pytest.fixture
def group(capfirm):
    olivier = consultant_of(capfirm)
    holding = _company(olivier, "Holding", revenue=1000, cogs=600, cash=300, receivables=240, sales_incl_vat=1200,
                       ebe=150)
    sub = _company(olivier, "Sub", revenue=500, cogs=100, cash=-50, receivables=360, sales_incl_vat=600, ebe=90)
    consolidation = consolidation_declare(consultancy=capfirm, name="Groupe H", holding=holding, companies=[sub],
                                          by=None)
    return olivier, holding, sub, consolidation


def test_nothing_is_summed_before_each_company_approved(group):
    olivier, holding, sub, consolidation = group
    view = _view(olivier, consolidation)
    assert view.contributions == [] and {o.name for o in view.pending} == {"Holding", "Sub"}


def test_sums_and_ratios_recomputed_from_consolidated_numerators_and_denominators(group):
    olivier, holding, sub, consolidation = group
    _approve_all(consolidation)

    view = _view(olivier, consolidation)

    assert view.totals["revenue"] == Decimal(1500)
    assert view.totals["ebe"] == Decimal(240)
    assert view.net_cash == Decimal(250)
    # (1000 − 600 + 500 − 100) / 1500, not the mean of 40 % and 80 %
    assert view.gross_margin_pct.quantize(Decimal("0.01")) == Decimal("53.33")
    # (240 + 360) / (1200 + 600) × days of the month
    assert view.dso == Decimal(600) / Decimal(1800) * view.month_days
    assert {c.org.name: c.lines["revenue"] for c in view.contributions} == {"Holding": 1000, "Sub": 500}


def test_intercompany_flows_marked_on_both_sides_are_left_out(group):
    olivier, holding, sub, consolidation = group
    _approve_all(consolidation)
    sub_as_customer = Customer.objects.create(organization=holding, source="upload", external_id="c-sub", name="Sub")
    holding_as_supplier = Supplier.objects.create(organization=sub, source="upload", external_id="s-h", name="Holding")
    day = month().replace(day=10)
    for org, kind, party in ((holding, Invoice.Kind.CUSTOMER, {"customer": sub_as_customer}),
                             (sub, Invoice.Kind.SUPPLIER, {"supplier": holding_as_supplier})):
        Invoice.objects.create(organization=org, source="upload", external_id=f"ic-{kind}", kind=kind, issue_date=day,
                               amount_excl_tax=Decimal(200), amount_incl_tax=Decimal(240),
                               currency_amount_incl_tax=Decimal(240), remaining_amount_incl_tax=Decimal(0), **party)
    intercompany_mark(company=holding, customer=sub_as_customer, by=None)
    intercompany_mark(company=sub, supplier=holding_as_supplier, by=None)

    view = _view(olivier, consolidation)

    assert view.totals["revenue"] == Decimal(1300) and view.eliminated["revenue"] == Decimal(-200)
    assert view.totals["ebe"] == Decimal(240)  # the sale and the purchase cancel out on the margins
    assert view.gross_margin_pct.quantize(Decimal("0.01")) == (Decimal(800) / Decimal(1300) * 100).quantize(
        Decimal("0.01"))


def test_a_company_the_consultant_does_not_serve_is_named_but_not_summed(capfirm, group):
    olivier, holding, sub, consolidation = group
    _approve_all(consolidation)
    Engagement.objects.filter(organization=sub, consultant__user=olivier.user).delete()

    view = _view(olivier, consolidation)

    assert [c.org.name for c in view.contributions] == ["Holding"]
    assert [o.name for o in view.unreachable] == ["Sub"]


def test_a_consolidation_groups_only_the_consultancys_clients(capfirm, globex):
    olivier = consultant_of(capfirm)
    mine = client_of(olivier)
    with pytest.raises(ValidationError):
        consolidation_declare(consultancy=capfirm, name="Grab", holding=mine, companies=[globex], by=None)


def test_the_companys_ceo_approves_from_its_own_page(client, group):
    olivier, holding, sub, consolidation = group
    ceo = make_member(sub, role=Role.CEO)
    member = ConsolidationMember.objects.get(organization=sub)
    client.force_login(ceo.user)

    assert "Groupe H" in client.get(url("portfolio:consolidation_requests", org_slug=sub.slug)).content.decode()
    client.post(url("portfolio:consolidation_approve", org_slug=sub.slug, member_id=member.pk))

    member.refresh_from_db()
    assert member.approved_by == ceo.user


def test_another_companys_ceo_cannot_approve_for_it(client, group, globex, mallory):
    olivier, holding, sub, consolidation = group
    member = ConsolidationMember.objects.get(organization=sub)
    client.force_login(mallory.user)
    response = client.post(url("portfolio:consolidation_approve", org_slug=globex.slug, member_id=member.pk))
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.is_pending


def test_the_consolidation_page_shows_each_contribution_and_the_total(client, group):
    olivier, holding, sub, consolidation = group
    _approve_all(consolidation)
    client.force_login(olivier.user)
    page = client.get(url("portfolio:consolidation_detail", org_slug=consolidation.organization.slug,
                          consolidation_id=consolidation.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "1,500" in html or "1 500" in html


def _consolidation_of(olivier, capfirm, n_companies: int):
    """A consolidation of `n` clients, approved, each with its figures, a customer marked intercompany
    and a sale to it."""
    companies = [_company(olivier, f"Company {n_companies}-{i}", revenue=500, cogs=100, cash=10, receivables=360,
                          sales_incl_vat=600, ebe=90) for i in range(n_companies)]
    for org in companies:
        customer = Customer.objects.create(organization=org, source="upload", external_id=f"c-{org.pk}", name="Sister")
        Supplier.objects.create(organization=org, source="upload", external_id=f"s-{org.pk}", name="Sister")
        Invoice.objects.create(organization=org, source="upload", external_id=f"ic-{org.pk}",
                               kind=Invoice.Kind.CUSTOMER, customer=customer, issue_date=month().replace(day=10),
                               amount_excl_tax=Decimal(100), amount_incl_tax=Decimal(120),
                               currency_amount_incl_tax=Decimal(120), remaining_amount_incl_tax=Decimal(120))
        intercompany_mark(company=org, customer=customer, by=None)
    consolidation = consolidation_declare(consultancy=capfirm, name=f"Group of {n_companies}", holding=companies[0],
                                          companies=companies[1:], by=None)
    _approve_all(consolidation)
    return consolidation


def test_the_consolidation_page_makes_the_same_number_of_queries_for_2_or_6_companies(client, capfirm):
    olivier = consultant_of(capfirm)
    small, large = _consolidation_of(olivier, capfirm, 2), _consolidation_of(olivier, capfirm, 6)
    client.force_login(olivier.user)
    client.get(url("portfolio:consolidation_list", org_slug=capfirm.slug))  # the session's first writes
    counts, contributions = query_counts_and_contributions(client, [
        url("portfolio:consolidation_detail", org_slug=capfirm.slug, consolidation_id=c.pk) for c in (small, large)])
    assert contributions == [2, 6]
    assert counts[0] == counts[1]
