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
