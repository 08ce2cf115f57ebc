"""On the holding's own consolidated page, the CEO who declared the group marks and unmarks its
intercompany customers and suppliers, as a consultancy does on its page: the sales to a marked customer
leave the consolidated revenue and its receivables leave the DSO. She picks only parties of the group's
companies where she acts as CEO; anything else is refused, and nobody else reaches these routes."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import rls
from accounts.audit import AuditEvent
from accounts.capabilities import Role
from accounts.models import Membership
from integrations.models import Customer, Invoice, Supplier
from kpis.models import KpiValue
from portfolio.clients import reading_own_companies
from portfolio.consolidation import consolidated_view
from portfolio.models import ConsolidationMember, IntercompanyParty
from portfolio.services import consolidation_declare_as_holding
from tests.accounts.rls.conftest import app_role, as_app_role  # noqa: F401 (the app role fixtures)
from tests.conftest import url
from tests.factories import make_member, make_org
from tests.portfolio.helpers import (
    approved_group,
    figures,
    holding_with_a_subsidiary,
    month,
    query_counts_and_contributions,
)

pytestmark = pytest.mark.django_db


def _sale(org, customer, *, excl, incl, ref):
    """A sale of the last closed month, still unpaid at its end."""
    return Invoice.objects.create(organization=org, source="upload", external_id=ref, kind=Invoice.Kind.CUSTOMER,
                                  customer=customer, issue_date=month().replace(day=10),
                                  amount_excl_tax=Decimal(excl), amount_incl_tax=Decimal(incl),
                                  currency_amount_incl_tax=Decimal(incl), remaining_amount_incl_tax=Decimal(incl))


def _customer(org, name, ref):
    return Customer.objects.create(organization=org, source="upload", external_id=ref, name=name)


@pytest.fixture
def group(holding_and_sub):
    """Groupe H, approved; Sub sold 100 excl. VAT (120 incl.) to Holding this month, still owed."""
    claire, oliver, holding, sub = holding_and_sub
    holding_in_subs_books = _customer(sub, "Holding", "c-holding")
    _sale(sub, holding_in_subs_books, excl=100, incl=120, ref="ic-1")
    return claire, oliver, holding, sub, approved_group(claire, oliver, sub), holding_in_subs_books


def _view(claire, consolidation):
    with reading_own_companies(claire) as companies:
        return consolidated_view(consolidation, companies)


def _mark(client, org, consolidation, party: str):
    return client.post(url("portfolio:holding_intercompany_mark", org_slug=org.slug,
                           consolidation_id=consolidation.pk), {"party": party}, follow=True)


def test_marking_the_subsidiarys_customer_that_is_the_holding_leaves_its_sales_and_receivables_out(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    client.force_login(claire.user)
    before = _view(claire, consolidation)

    page = _mark(client, holding, consolidation, f"customer:{holding_in_subs_books.pk}")
    after = _view(claire, consolidation)

    assert before.totals["revenue"] == Decimal(1500)
    assert after.totals["revenue"] == Decimal(1400) and after.eliminated["revenue"] == Decimal(-100)
    # receivables (240 + 360 − 120) over sales incl. VAT (1200 + 600 − 120), not 600 over 1800
    assert after.dso == Decimal(480) / Decimal(1680) * after.month_days
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == url("portfolio:holding_consolidation", org_slug=holding.slug,
                                             consolidation_id=consolidation.pk)
    assert "1,400" in html or "1 400" in html
    mark = IntercompanyParty.objects.get(customer=holding_in_subs_books)
    assert mark.organization == sub
    assert AuditEvent.objects.filter(organization=sub, action="intercompany.marked", actor=claire.user,
                                     target_id=str(mark.pk)).exists()


def test_the_page_offers_the_groups_parties_and_a_remove_button_for_each_mark(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    supplier = Supplier.objects.create(organization=holding, source="upload", external_id="s-sub", name="Sub Ltd")
    client.force_login(claire.user)
    page_url = url("portfolio:holding_consolidation", org_slug=holding.slug, consolidation_id=consolidation.pk)

    offered = client.get(page_url).content.decode()
    _mark(client, holding, consolidation, f"supplier:{supplier.pk}")
    marked = client.get(page_url).content.decode()

    assert f'value="customer:{holding_in_subs_books.pk}"' in offered and f'value="supplier:{supplier.pk}"' in offered
    mark = IntercompanyParty.objects.get(supplier=supplier)
    assert url("portfolio:holding_intercompany_unmark", org_slug=holding.slug, consolidation_id=consolidation.pk,
               mark_id=mark.pk) in marked
    assert f'value="supplier:{supplier.pk}"' not in marked  # marked already: no longer offered


def test_unmarking_puts_the_sales_back(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    client.force_login(claire.user)
    _mark(client, holding, consolidation, f"customer:{holding_in_subs_books.pk}")
    mark = IntercompanyParty.objects.get(customer=holding_in_subs_books)

    response = client.post(url("portfolio:holding_intercompany_unmark", org_slug=holding.slug,
                               consolidation_id=consolidation.pk, mark_id=mark.pk))
    view = _view(claire, consolidation)

    assert response.status_code == 302
    assert view.totals["revenue"] == Decimal(1500) and view.dso == Decimal(600) / Decimal(1800) * view.month_days
    assert not IntercompanyParty.objects.filter(pk=mark.pk).exists()
    assert AuditEvent.objects.filter(organization=sub, action="intercompany.unmarked", actor=claire.user).exists()


def test_a_customer_of_a_company_outside_the_group_is_refused(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    other = make_org(name="Other")  # Claire is its CEO too, but it is not in Groupe H
    make_member(other, role=Role.CEO, user=claire.user)
    outsiders_customer = _customer(other, "Someone", "c-out")
    client.force_login(claire.user)

    page = _mark(client, holding, consolidation, f"customer:{outsiders_customer.pk}")

    assert not IntercompanyParty.objects.exists()
    assert "Choose a customer or a supplier of a company of the group that you act for." in page.content.decode()


def test_she_marks_only_in_the_companies_where_she_is_ceo(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    Membership.objects.filter(organization=sub, user=claire.user).update(role=Role.CFO)  # she reads Sub, as CFO
    client.force_login(claire.user)
    page_url = url("portfolio:holding_consolidation", org_slug=holding.slug, consolidation_id=consolidation.pk)

    offered = client.get(page_url).content.decode()
    refused = _mark(client, holding, consolidation, f"customer:{holding_in_subs_books.pk}")

    assert "Sub" in offered and f"customer:{holding_in_subs_books.pk}" not in offered
    assert not IntercompanyParty.objects.exists()
    assert "that you act for" in refused.content.decode()


def test_a_holding_member_who_is_not_its_ceo_is_refused(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    cfo = make_member(holding, role=Role.CFO)
    make_member(sub, role=Role.CEO, user=cfo.user)
    mark = IntercompanyParty.objects.create(organization=sub, customer=holding_in_subs_books)
    client.force_login(cfo.user)

    marking = client.post(url("portfolio:holding_intercompany_mark", org_slug=holding.slug,
                              consolidation_id=consolidation.pk), {"party": f"customer:{holding_in_subs_books.pk}"})
    unmarking = client.post(url("portfolio:holding_intercompany_unmark", org_slug=holding.slug,
                                consolidation_id=consolidation.pk, mark_id=mark.pk))

    assert marking.status_code == 403 and unmarking.status_code == 403
    assert IntercompanyParty.objects.filter(pk=mark.pk).exists()


def test_a_company_of_the_group_that_is_not_the_holding_gets_404_on_the_post_routes(client, group):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    mark = IntercompanyParty.objects.create(organization=sub, customer=holding_in_subs_books)
    party = {"party": f"customer:{holding_in_subs_books.pk}"}
    for ceo in (oliver, claire):  # Claire is Sub's CEO too: from Sub's side, the group is not hers to mark
        client.force_login(ceo.user)
        marking = client.post(url("portfolio:holding_intercompany_mark", org_slug=sub.slug,
                                  consolidation_id=consolidation.pk), party)
        unmarking = client.post(url("portfolio:holding_intercompany_unmark", org_slug=sub.slug,
                                    consolidation_id=consolidation.pk, mark_id=mark.pk))
        assert (marking.status_code, unmarking.status_code) == (404, 404)
    assert list(IntercompanyParty.objects.values_list("pk", flat=True)) == [mark.pk]


def test_another_tenant_gets_404_with_the_groups_real_ids(client, group, globex, mallory):
    claire, oliver, holding, sub, consolidation, holding_in_subs_books = group
    mark = IntercompanyParty.objects.create(organization=sub, customer=holding_in_subs_books)
    client.force_login(mallory.user)

    marking = client.post(url("portfolio:holding_intercompany_mark", org_slug=globex.slug,
                              consolidation_id=consolidation.pk), {"party": f"customer:{holding_in_subs_books.pk}"})
    unmarking = client.post(url("portfolio:holding_intercompany_unmark", org_slug=globex.slug,
                                consolidation_id=consolidation.pk, mark_id=mark.pk))

    assert (marking.status_code, unmarking.status_code) == (404, 404)
    assert IntercompanyParty.objects.filter(pk=mark.pk).exists()


def _group_of(n_subsidiaries: int, claire, holding):
    """A group of the holding and `n` subsidiaries of Claire's (approved), each with figures, a customer,
    a supplier, a sale to the holding and a marked intercompany customer."""
    subs = []
    for _ in range(n_subsidiaries):
        sub = make_org()
        make_member(sub, role=Role.CEO, user=claire.user)
        figures(sub, revenue=500, cogs=100, ebe=90, cash=10, receivables=360, sales_incl_vat=600)
        customer = _customer(sub, "Holding", f"c-{sub.pk}")
        Supplier.objects.create(organization=sub, source="upload", external_id=f"s-{sub.pk}", name="Holding")
        _sale(sub, customer, excl=100, incl=120, ref=f"ic-{sub.pk}")
        IntercompanyParty.objects.create(organization=sub, customer=customer)
        subs.append(sub)
    consolidation = consolidation_declare_as_holding(by=claire, name=f"Group of {n_subsidiaries + 1}",
                                                     companies=subs)
    ConsolidationMember.objects.filter(consolidation=consolidation).update(approved_at=timezone.now(), approved_by=claire.user)
    return consolidation


def test_the_holdings_page_makes_the_same_number_of_queries_for_2_or_6_companies(client, holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    small, large = _group_of(1, claire, holding), _group_of(5, claire, holding)
    client.force_login(claire.user)
    client.get(url("portfolio:consolidation_requests", org_slug=holding.slug))  # the session's first writes
    counts, contributions = query_counts_and_contributions(client, [
        url("portfolio:holding_consolidation", org_slug=holding.slug, consolidation_id=c.pk) for c in (small, large)])
    assert contributions == [2, 6]
    assert counts[0] == counts[1]


@pytest.mark.services
def test_as_the_app_role_the_holdings_ceo_marks_and_reads_the_elimination(client, as_app_role):
    claire, oliver, holding, sub = holding_with_a_subsidiary()
    holding_in_subs_books = _customer(sub, "Holding", "c-holding")
    _sale(sub, holding_in_subs_books, excl=100, incl=120, ref="ic-1")
    consolidation = approved_group(claire, oliver, sub)
    client.force_login(claire.user)
    with as_app_role():
        page = _mark(client, holding, consolidation, f"customer:{holding_in_subs_books.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and ("1,400" in html or "1 400" in html)
    assert IntercompanyParty.objects.get().organization == sub


@pytest.mark.services
def test_as_the_app_role_a_company_outside_the_holdings_groups_stays_unreadable(holding_and_sub, as_app_role):
    """Naming a company where the CEO is a member but which joined no group of the holding reads none of its
    rows; the subsidiary's, once it approved, are read from the holding's request."""
    claire, oliver, holding, sub = holding_and_sub
    other = make_org(name="Other")
    make_member(other, role=Role.CEO, user=claire.user)
    figures(other, revenue=700, cogs=100, ebe=90, cash=10, receivables=1, sales_incl_vat=1)
    pending = consolidation_declare_as_holding(by=claire, name="Pending", companies=[sub])

    def seen():
        with as_app_role(), transaction.atomic():
            rls.request_user_set(claire.user_id)
            rls.request_org_set(holding.pk)
            with rls.clients_read_context([holding.pk, sub.pk, other.pk]):
                return set(KpiValue.objects.values_list("organization_id", flat=True))  # deliberately unscoped

    before = seen()
    ConsolidationMember.objects.filter(consolidation=pending, organization=sub).update(approved_at=timezone.now())
    after = seen()

    assert before == {holding.pk}  # Sub has not approved yet; Other joined nothing
    assert after == {holding.pk, sub.pk}
