"""Cost and margin KPIs need `kpis.view_costs`: Admin, Viewer, COO and CRO never see them."""

import pytest

from accounts.capabilities import Role
from tests.conftest import url
from tests.factories import make_member

SEES_COSTS = {Role.CEO, Role.CFO}


@pytest.mark.parametrize("role", Role.values)
def test_catalogue_lists_cost_kpis_only_for_roles_with_cost_detail(client, acme, acme_kpis, role):
    member = make_member(acme, role=role)
    client.force_login(member.user)
    html = client.get(url("kpis:catalogue", org_slug="acme")).content.decode()
    assert 'data-kpi="revenue"' in html
    assert ('data-kpi="gross_margin"' in html) is (role in SEES_COSTS)


@pytest.mark.parametrize("role", Role.values)
def test_a_cost_kpi_page_is_a_404_for_roles_without_cost_detail(client, acme, acme_kpis, role):
    member = make_member(acme, role=role)
    client.force_login(member.user)
    response = client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="gross_margin"))
    assert response.status_code == (200 if role in SEES_COSTS else 404)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_the_api_does_not_list_cost_kpis_for_admin_and_viewer(client, acme, acme_kpis, role):
    member = make_member(acme, role=role)
    client.force_login(member.user)
    body = client.get("/api/v1/orgs/acme/kpis/").json()
    assert [k["slug"] for k in body["results"]] == ["revenue"]
    assert client.get("/api/v1/orgs/acme/kpis/gross_margin/").status_code == 404


def test_a_kpi_that_reads_a_hidden_kpi_is_hidden_too_whatever_it_declares(client, acme, acme_kpis, bob):
    from tests.kpis.ui.kpi_data import make_kpi

    # Saved before the rule existed (declared "everyone"): revenue + gross margin minus revenue would tell the margin.
    make_kpi(acme, slug="margin_watch", name="Margin watch", formula="gross_margin + revenue")
    client.force_login(bob.user)  # COO: no cost detail
    assert client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="margin_watch")).status_code == 404
