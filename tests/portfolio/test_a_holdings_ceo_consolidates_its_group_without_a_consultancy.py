"""A CEO who is a member of a holding and its subsidiary declares the group from the holding's side, the
subsidiary's CEO approves, and the holding's CEO reads the consolidated page from the holding's own
navigation: sums, recomputed ratios, intercompany flows (and receivables) out, cost lines only where their
role in every company may see them; a company outside the group sees nothing of it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.capabilities import Role
from accounts.models import Membership
from accounts.navigation import navigation_for
from integrations.models import Customer, Invoice
from portfolio.clients import reading_own_companies
from portfolio.consolidation import consolidated_view
from portfolio.models import ConsolidationMember
from portfolio.services import (
    consolidation_declare_as_holding,
    consolidation_member_approve,
    intercompany_mark,
)
from tests.accounts.rls.conftest import app_role, as_app_role  # noqa: F401 (the app role fixtures)
from tests.conftest import url
from tests.factories import make_member, make_org
from tests.portfolio.helpers import approved_group as _approved_group
from tests.portfolio.helpers import month, value

pytestmark = pytest.mark.django_db


def _view(claire, group):
    with reading_own_companies(claire) as companies:
        return consolidated_view(group, companies)


def test_the_holding_is_in_at_once_and_the_subsidiary_waits_for_its_own_ceo(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    group = consolidation_declare_as_holding(by=claire, name="Groupe H", companies=[sub])

    view = _view(claire, group)

    assert group.organization == holding and group.holding == holding
    assert [c.org.name for c in view.contributions] == ["Holding"]
    assert [o.name for o in view.pending] == ["Sub"]


def test_once_approved_the_group_is_summed_and_its_ratios_recomputed(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    group = _approved_group(claire, oliver, sub)

    view = _view(claire, group)

    assert view.totals["revenue"] == Decimal(1500) and view.totals["ebe"] == Decimal(240)
    assert view.net_cash == Decimal(250)
    assert view.gross_margin_pct.quantize(Decimal("0.01")) == Decimal("53.33")  # 800 / 1500, not mean(40, 80)
    assert view.dso == Decimal(600) / Decimal(1800) * view.month_days
    assert {c.org.name: c.lines["revenue"] for c in view.contributions} == {"Holding": 1000, "Sub": 500}


def test_intercompany_sales_leave_revenue_and_their_receivables_leave_the_dso(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    group = _approved_group(claire, oliver, sub)
    sub_as_customer = Customer.objects.create(organization=holding, source="upload", external_id="c-sub", name="Sub")
    # 200 excl. VAT sold to Sub this month, 240 incl. VAT, still owed at the month's end
    Invoice.objects.create(organization=holding, source="upload", external_id="ic-1", kind=Invoice.Kind.CUSTOMER,
                           customer=sub_as_customer, issue_date=month().replace(day=10),
                           amount_excl_tax=Decimal(200), amount_incl_tax=Decimal(240),
                           currency_amount_incl_tax=Decimal(240), remaining_amount_incl_tax=Decimal(240))
    intercompany_mark(company=holding, customer=sub_as_customer, by=None)

    view = _view(claire, group)

    assert view.totals["revenue"] == Decimal(1300) and view.eliminated["revenue"] == Decimal(-200)
    # receivables (240 + 360 − 240) over sales incl. VAT (1200 + 600 − 240)
    assert view.dso == Decimal(360) / Decimal(1560) * view.month_days


def test_cost_lines_are_hidden_when_the_ceo_may_not_see_costs_in_one_company(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    group = _approved_group(claire, oliver, sub)
    Membership.objects.filter(organization=sub, user=claire.user).update(role=Role.VIEWER)

    view = _view(claire, group)

    assert view.totals["revenue"] == Decimal(1500)
    assert {"ebe", "gross_margin_pct"} <= view.hidden and "ebe" not in view.totals


def test_the_ceo_names_only_companies_they_are_a_member_of(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    stranger = make_org(name="Stranger")
    with pytest.raises(ValidationError):
        consolidation_declare_as_holding(by=claire, name="Grab", companies=[stranger])


def test_only_the_holdings_ceo_declares(holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    cfo = make_member(holding, role=Role.CFO)
    make_member(sub, role=Role.CFO, user=cfo.user)
    with pytest.raises(ValidationError):
        consolidation_declare_as_holding(by=cfo, name="Groupe H", companies=[sub])


def test_the_ceo_declares_from_the_holdings_consolidation_page_and_reads_it_there(client, holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    client.force_login(claire.user)
    assert "portfolio:consolidation_requests" in [i.url_name for i in navigation_for(claire)]

    declared = client.post(url("portfolio:holding_consolidation_create", org_slug=holding.slug),
                           {"name": "Groupe H", "companies": [sub.pk]})
    member = ConsolidationMember.objects.get(organization=sub)
    consolidation_member_approve(member=member, by=oliver)
    listing = client.get(url("portfolio:consolidation_requests", org_slug=holding.slug)).content.decode()
    page = client.get(declared["Location"])

    assert declared.status_code == 302 and "Groupe H" in listing
    html = page.content.decode()
    assert page.status_code == 200 and "Sub" in html
    assert "1,500" in html or "1 500" in html


def test_the_subsidiary_answers_on_its_own_page_and_cannot_open_the_holdings_view(client, holding_and_sub):
    claire, oliver, holding, sub = holding_and_sub
    group = consolidation_declare_as_holding(by=claire, name="Groupe H", companies=[sub])
    client.force_login(oliver.user)

    asked = client.get(url("portfolio:consolidation_requests", org_slug=sub.slug)).content.decode()
    from_sub = client.get(url("portfolio:holding_consolidation", org_slug=sub.slug, consolidation_id=group.pk))

    assert "Groupe H" in asked and "Holding" in asked
    assert from_sub.status_code == 404


def test_a_company_outside_the_group_sees_nothing_of_it(client, holding_and_sub, globex, mallory):
    claire, oliver, holding, sub = holding_and_sub
    group = _approved_group(claire, oliver, sub)
    client.force_login(mallory.user)

    page = client.get(url("portfolio:holding_consolidation", org_slug=globex.slug, consolidation_id=group.pk))
    listing = client.get(url("portfolio:consolidation_requests", org_slug=globex.slug)).content.decode()

    assert page.status_code == 404
    assert "Groupe H" not in listing


@pytest.mark.services
def test_as_the_app_role_the_holdings_ceo_declares_and_reads_the_group(client, as_app_role):
    holding, sub = make_org(name="Holding"), make_org(name="Sub")
    claire = make_member(holding, role=Role.CEO, email="claire@holding.test")
    make_member(sub, role=Role.CEO, user=claire.user)
    oliver = make_member(sub, role=Role.CEO, email="oliver@sub.test")
    value(holding, "revenue", "1000")
    value(sub, "revenue", "500")
    client.force_login(claire.user)
    with as_app_role():
        declared = client.post(url("portfolio:holding_consolidation_create", org_slug=holding.slug),
                               {"name": "Groupe H", "companies": [sub.pk]})
    member = ConsolidationMember.objects.get(organization=sub)
    assert declared.status_code == 302 and member.is_pending
    client.force_login(oliver.user)
    with as_app_role():
        client.post(url("portfolio:consolidation_approve", org_slug=sub.slug, member_id=member.pk))
    client.force_login(claire.user)
    with as_app_role():
        page = client.get(declared["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and ("1,500" in html or "1 500" in html)
