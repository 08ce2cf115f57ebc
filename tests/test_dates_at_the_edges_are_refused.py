"""Dates far outside the years periods may cover (config.limits) are a 400 or a form error, never a 500."""

import pytest

from config.limits import PERIOD_YEAR_MAX, PERIOD_YEAR_MIN
from objectives.models import Objective
from tests.conftest import url
from tests.kpis.ui.kpi_data import make_kpi, make_metric

API = "/api/v1/orgs/acme"
MESSAGE = f"Choose a date between {PERIOD_YEAR_MIN} and {PERIOD_YEAR_MAX}."


@pytest.fixture
def revenue(acme):
    make_metric(acme, slug="sales", name="Sales")
    return make_kpi(acme, slug="revenue", name="Revenue", formula="sales")


@pytest.mark.parametrize("query", ["start=9990-01-01&end=9999-12-31", "start=0001-01-01&end=0001-12-31",
                                   "end=0001-01-01"])
def test_kpi_values_outside_the_years_are_a_400(client, acme_ceo, revenue, query):
    client.force_login(acme_ceo.user)
    response = client.get(f"{API}/kpis/revenue/values/?{query}")
    assert response.status_code == 400
    assert MESSAGE in str(response.json())


@pytest.mark.parametrize("period", ["9999-12-31", "0001-01-01"])
def test_a_what_if_or_lineage_at_the_edges_is_a_400(client, acme_ceo, revenue, period):
    client.force_login(acme_ceo.user)
    response = client.post(f"{API}/kpis/what-if/", {"period": period, "changes": [{"driver": "sales", "pct": "10"}]},
                           content_type="application/json")
    assert response.status_code == 400 and MESSAGE in str(response.json())
    assert client.get(f"{API}/kpis/revenue/lineage/?period={period}").status_code == 400


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "0000-01", "10000-01"])
def test_a_month_parameter_at_the_edges_shows_the_default_month(client, acme_ceo, revenue, month):
    client.force_login(acme_ceo.user)
    assert client.get(url("kpis:catalogue", org_slug="acme") + f"?month={month}").status_code == 200
    assert client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue") + f"?month={month}").status_code == 200
    assert client.get(url("kpis:kpi_lineage", org_slug="acme", kpi_slug="revenue") + f"?month={month}").status_code == 200


def test_an_objective_from_year_1_to_9999_is_refused_by_the_api(client, acme, alice):
    client.force_login(alice.user)
    response = client.post(f"{API}/objectives/", {"title": "Forever", "kind": "financial",
                                                  "period_start": "0001-01-01", "period_end": "9999-12-31"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"period_start": [MESSAGE], "period_end": [MESSAGE]}
    assert not Objective.objects.for_org(acme).exists()


def test_an_objective_from_year_1_to_9999_is_refused_by_the_form(client, acme, alice):
    client.force_login(alice.user)
    response = client.post(url("objectives:objective_create", org_slug="acme"), {
        "title": "Forever", "kind": "financial", "period": "custom", "period_start": "0001-01-01",
        "period_end": "9999-12-31", "owner": alice.pk, "owner_role": "cfo", "status": "active", "weight": 1,
        "check_in_every_days": 7})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert html.count(MESSAGE) == 2
    assert "Give both dates of a custom period." not in html
    assert not Objective.objects.for_org(acme).exists()


def test_the_service_refuses_it_too(acme, alice):
    from datetime import date

    from django.core.exceptions import ValidationError

    from objectives.services import objective_create

    with pytest.raises(ValidationError) as error:
        objective_create(by=alice, title="Forever", kind="financial", period_start=date(1, 1, 1),
                         period_end=date(9999, 12, 31))
    assert set(error.value.message_dict) == {"period_start", "period_end"}


def test_the_cascade_ignores_a_period_at_the_edges(client, alice):
    client.force_login(alice.user)
    for period in ["9999-10-01/9999-12-31", "0001-01-01/0001-03-31"]:
        response = client.get(url("objectives:cascade", org_slug="acme") + f"?period={period}")
        assert response.status_code == 200
