"""What-if: move one driver, see every dependent KPI before and after; the database is left exactly as it was."""

from datetime import date
from decimal import Decimal

from django.apps import apps

from accounts.models import OrgOwned
from tests.conftest import url
from tests.kpis.engine.records import invoice
from tests.kpis.ui.kpi_data import make_kpi, make_metric, set_value


def _snapshot():
    """Every tenant row of every model, as plain values."""
    return {
        model._meta.label: sorted(map(repr, model.objects.order_by("pk").values_list()))
        for model in apps.get_models() if issubclass(model, OrgOwned)
    }


def _setup(org):
    make_metric(org, slug="sales", name="Customer invoices excl. VAT")
    revenue = make_kpi(org, slug="revenue", name="Revenue", formula="sales")
    half = make_kpi(org, slug="half_revenue", name="Half revenue", formula="revenue / 2")
    make_kpi(org, slug="cost_view", name="Cost view", formula="revenue - 1", visibility="kpis.view_costs")
    invoice(org, date(2026, 10, 3), excl="1000.00")
    invoice(org, date(2026, 10, 20), excl="234.56")
    set_value(revenue, date(2026, 10, 1), "1234.56")
    set_value(half, date(2026, 10, 1), "617.28")


def test_raising_sales_by_ten_percent_shows_revenue_and_half_revenue_before_and_after(client, acme, alice):
    _setup(acme)
    client.force_login(alice.user)
    before = _snapshot()
    response = client.post(url("kpis:kpi_what_if", org_slug="acme", kpi_slug="half_revenue"),
                           {"driver": "sales", "mode": "pct", "amount": "10", "month": "2026-10"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    # sales 1,234.56 × 1.10 = 1,358.016 → revenue €1,358.02; half of it 679.008 → €679.01
    assert "€1,234.56" in html and "€1,358.02" in html
    assert "€617.28" in html and "€679.01" in html
    assert "A simulation: nothing was saved." in html
    assert _snapshot() == before


def test_a_cost_kpi_among_the_dependents_stays_hidden_from_the_coo(client, acme, bob):
    _setup(acme)
    client.force_login(bob.user)
    html = client.post(url("kpis:kpi_what_if", org_slug="acme", kpi_slug="half_revenue"),
                       {"driver": "sales", "mode": "value", "amount": "2000", "month": "2026-10"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "€2,000.00" in html  # revenue set through its only metric
    assert "Cost view" not in html


def test_the_api_what_if_returns_before_and_after_and_saves_nothing(client, acme, alice):
    _setup(acme)
    client.force_login(alice.user)
    before = _snapshot()
    response = client.post("/api/v1/orgs/acme/kpis/what-if/",
                           {"period": "2026-10-01", "changes": [{"driver": "sales", "pct": "-50"}]},
                           content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is False
    results = {r["kpi"]: (Decimal(r["before"]), Decimal(r["after"])) for r in body["results"]}
    assert results["revenue"] == (Decimal("1234.56"), Decimal("617.28"))  # 1,234.56 × 0.5
    assert results["half_revenue"] == (Decimal("617.28"), Decimal("308.64"))
    assert results["cost_view"] == (Decimal("1233.56"), Decimal("616.28"))  # the CFO sees cost KPIs
    assert _snapshot() == before


def test_viewer_may_not_simulate(client, acme):
    from tests.factories import make_member

    _setup(acme)
    viewer = make_member(acme, role="viewer")
    client.force_login(viewer.user)
    assert client.post("/api/v1/orgs/acme/kpis/what-if/", {"changes": [{"driver": "sales", "pct": "10"}]},
                       content_type="application/json").status_code == 403
    assert client.post(url("kpis:kpi_what_if", org_slug="acme", kpi_slug="revenue"),
                       {"driver": "sales", "mode": "pct", "amount": "10"}).status_code == 403


def test_without_javascript_the_simulation_comes_back_inside_the_kpi_page(client, acme, alice):
    _setup(acme)
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_what_if", org_slug="acme", kpi_slug="half_revenue"),
                           {"driver": "sales", "mode": "pct", "amount": "10", "month": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200 and "<!doctype html>" in html
    assert "€679.01" in html and "A simulation: nothing was saved." in html


def test_an_unknown_driver_is_refused_without_simulating(client, acme, alice):
    _setup(acme)
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_what_if", org_slug="acme", kpi_slug="half_revenue"),
                           {"driver": "cost_view", "mode": "pct", "amount": "10"}, HTTP_HX_REQUEST="true")
    assert "Select a valid choice." in response.content.decode()  # not a driver of half_revenue
