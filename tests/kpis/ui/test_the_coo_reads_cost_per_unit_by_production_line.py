"""A maker's COO reads cost per unit by production line on its KPI page (total and per line, in French too); a
role without operational costs gets the page as a missing one."""

from datetime import date

import pytest

from accounts.services import organization_create
from kpis.services import kpi_values_recompute
from tests.conftest import url
from tests.factories import make_member, make_user
from tests.kpis.engine.records import production


@pytest.fixture
def maker(db):
    org = organization_create(name="Menuiserie Azur", slug="azur", owner=make_user(), packs=["manufacturing"])
    for month in (date(2026, 9, 1), date(2026, 10, 1)):
        production(org, month, "Débit", units=200, cost=2000)
        production(org, month, "Assemblage", units=150, cost=4500)
    kpi_values_recompute(org=org, today=date(2026, 11, 15))
    return org


def _page(client, member, language="en"):
    client.force_login(member.user)
    return client.get(url("kpis:kpi_detail", org_slug="azur", kpi_slug="line_cost_per_unit") + "?month=2026-10",
                      HTTP_ACCEPT_LANGUAGE=language)


def test_the_coo_sees_cost_per_unit_by_line(client, maker):
    response = _page(client, make_member(maker, role="coo"))
    assert response.status_code == 200
    html = response.content.decode()
    breakdown = html[html.index('data-testid="breakdown"'):]
    breakdown = breakdown[:breakdown.index("</section>")]
    assert "By production line" in breakdown
    assert ('<th scope="row">Assemblage</th><td class="num">€30.00</td>' in breakdown
            and '<th scope="row">Débit</th><td class="num">€10.00</td>' in breakdown)  # 4,500 ÷ 150 and 2,000 ÷ 200


def test_the_french_coo_reads_it_by_ligne_de_production(client, maker):
    html = _page(client, make_member(maker, role="coo"), "fr").content.decode()
    assert "Coût unitaire par ligne" in html and "ligne de production" in html


@pytest.mark.parametrize("role", ["viewer", "admin", "cro"])
def test_a_role_without_operational_costs_gets_a_404(client, maker, role):
    assert _page(client, make_member(maker, role=role)).status_code == 404


def test_a_viewer_sees_units_produced_by_line(client, maker):
    client.force_login(make_member(maker, role="viewer").user)
    response = client.get(url("kpis:kpi_detail", org_slug="azur", kpi_slug="line_units_produced") + "?month=2026-10")
    assert response.status_code == 200 and "Assemblage" in response.content.decode()
