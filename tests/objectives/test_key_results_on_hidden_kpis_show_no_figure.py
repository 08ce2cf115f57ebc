"""Issue #9: objective pages put the chart data of a key result bound to a cost KPI in the page for every
role. A key result bound to a KPI the member may not see shows that it exists, and no figure."""

from datetime import date

import pytest

from accounts.capabilities import Role
from kpis.models import Kpi
from tests.conftest import url
from tests.factories import make_member
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

API = "/api/v1/orgs/acme"


@pytest.fixture
def margin_objective(acme, alice):
    margin = make_kpi(acme, slug="gross_margin", name="Gross margin", formula="1")
    Kpi.objects.for_org(acme).filter(pk=margin.pk).update(visibility_capability="kpis.view_costs")
    make_kpi_value(acme, kpi=margin, value="4321.98")
    make_kpi_value(acme, kpi=margin, value="1234.56", grain="month", start=date(2026, 10, 1), end=date(2026, 10, 31))
    objective = make_objective(acme, owner=alice, title="Protect the margin")
    make_key_result(objective, kpi=margin, start="3987.65", target="5678.91")
    return objective


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COO, Role.ADMIN])
def test_the_objective_page_shows_the_key_result_but_none_of_its_figures(client, acme, margin_objective, role):
    client.force_login(make_member(acme, role=role).user)
    html = client.get(url("objectives:objective_detail", org_slug="acme",
                          objective_id=margin_objective.pk)).content.decode()
    assert 'data-testid="kr-hidden"' in html
    for figure in ("4321", "4 321", "4,321", "1234", "1,234", "3987", "3,987", "5678", "5,678", "kr-spark-"):
        assert figure not in html


def test_the_cfo_sees_its_figures_and_sparkline(client, acme, alice, margin_objective):
    client.force_login(alice.user)
    html = client.get(url("objectives:objective_detail", org_slug="acme",
                          objective_id=margin_objective.pk)).content.decode()
    assert 'data-testid="kr-hidden"' not in html and "kr-spark-" in html


def test_the_api_gives_a_viewer_the_key_result_without_its_figures(client, acme, margin_objective):
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    [kr] = client.get(f"{API}/key-results/").json()["results"]
    assert (kr["start_value"], kr["target_value"]) == (None, None)


def test_the_key_result_form_does_not_offer_or_accept_a_hidden_kpi(client, acme, bob, margin_objective):
    operational = make_objective(acme, owner=bob, kind="operational")
    margin = Kpi.objects.for_org(acme).get(slug="gross_margin")
    client.force_login(bob.user)  # COO: sets operational objectives, no cost detail
    page = client.get(url("objectives:key_result_create", org_slug="acme", objective_id=operational.pk))
    assert "Gross margin" not in page.content.decode()
    client.post(url("objectives:key_result_create", org_slug="acme", objective_id=operational.pk), {
        "title": "Margin", "kpi": margin.pk, "direction": "increase", "start_value": "1", "target_value": "2",
        "unit": "", "weight": "1"})
    assert not operational.key_results.exists()
