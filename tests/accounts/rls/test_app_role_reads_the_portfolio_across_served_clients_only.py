"""As the app role, the consultancy's portfolio reads its served clients' rows in one query per table,
and PostgreSQL itself keeps out a client the consultant does not serve, even when asked for it."""

import pytest

from accounts import rls
from kpis.models import KpiValue
from tests.conftest import url
from tests.portfolio.helpers import client_of, consultant_of, value

pytestmark = pytest.mark.services


def test_the_portfolio_shows_the_served_clients_figures(client, capfirm, as_app_role):
    olivier = consultant_of(capfirm, email="olivier@capfirm.test")
    lumen = client_of(olivier, name="Lumen")
    value(lumen, "revenue", "123456")
    client.force_login(olivier.user)
    with as_app_role():
        page = client.get(url("portfolio:overview", org_slug=capfirm.slug))
    assert page.status_code == 200
    html = page.content.decode()
    assert "123,456" in html and "Lumen" in html


def test_naming_a_client_the_consultant_does_not_serve_reads_none_of_its_rows(capfirm, globex, as_app_role):
    from django.db import transaction

    from accounts.models import Membership

    olivier = consultant_of(capfirm, email="olivier@capfirm.test")
    lumen = client_of(olivier, name="Lumen")
    value(lumen, "revenue", "1")
    value(globex, "revenue", "2")
    with as_app_role(), transaction.atomic():
        rls.request_user_set(olivier.user_id)
        rls.request_org_set(capfirm.pk)
        assert Membership.objects.filter(user=olivier.user).count() == 2
        with rls.clients_read_context([lumen.pk, globex.pk]):
            seen = set(KpiValue.objects.values_list("organization_id", flat=True))  # deliberately unscoped
        outside = KpiValue.objects.count()  # no client named: the consultancy's own rows only
    assert seen == {lumen.pk}
    assert outside == 0


def test_a_company_asked_to_join_a_consolidation_reads_it_and_approves_it(client, capfirm, as_app_role):
    from accounts.capabilities import Role
    from portfolio.models import ConsolidationMember
    from portfolio.services import consolidation_declare
    from tests.factories import make_member

    olivier = consultant_of(capfirm, email="olivier@capfirm.test")
    holding, sub = client_of(olivier, name="Holding"), client_of(olivier, name="Sub")
    consolidation_declare(consultancy=capfirm, name="Groupe H", holding=holding, companies=[sub], by=None)
    ceo = make_member(sub, role=Role.CEO)
    member = ConsolidationMember.objects.get(organization=sub)
    client.force_login(ceo.user)
    with as_app_role():
        page = client.get(url("portfolio:consolidation_requests", org_slug=sub.slug))
        approved = client.post(url("portfolio:consolidation_approve", org_slug=sub.slug, member_id=member.pk))
    assert "Groupe H" in page.content.decode() and approved.status_code == 302
    member.refresh_from_db()
    assert member.approved_by == ceo.user


def test_the_consultancy_declares_and_reads_a_consolidation_as_the_app_role(client, capfirm, as_app_role):
    from accounts.capabilities import Role
    from portfolio.models import Consolidation, ConsolidationMember

    olivier = consultant_of(capfirm, email="olivier@capfirm.test")
    holding, sub = client_of(olivier, name="Holding", role=Role.CFO), client_of(olivier, name="Sub", role=Role.CFO)
    value(holding, "revenue", "1000")
    value(sub, "revenue", "500")
    client.force_login(olivier.user)
    with as_app_role():
        declared = client.post(url("portfolio:consolidation_create", org_slug=capfirm.slug),
                               {"name": "Groupe H", "holding": holding.pk, "companies": [sub.pk]})
    assert declared.status_code == 302
    ConsolidationMember.objects.update(approved_at="2026-01-01T00:00:00Z")
    consolidation = Consolidation.objects.get(name="Groupe H")
    with as_app_role():
        page = client.get(url("portfolio:consolidation_detail", org_slug=capfirm.slug,
                              consolidation_id=consolidation.pk))
    assert "1,500" in page.content.decode()
