"""Issue #9: a COO previewed `production_cost / units_produced` in the formula check, saved it as a KPI
visible to everyone, and a Viewer read it through the API. Metrics carry the visibility of the KPIs
that read them, a KPI needs what its inputs need, and every surface asks the same selector."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.capabilities import Role
from kpis.models import Kpi, Metric
from kpis.selectors import kpi_visibility_for
from kpis.services import catalogue_install, kpi_create, kpi_update
from tests.conftest import url
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_value

LEAK = "personnel / units_produced"
FORM = {"name": "Unit cost", "slug": "unit_cost", "formula": LEAK, "unit": "eur", "direction": "lower",
        "category": "operations", "owner_role": "coo", "visibility_capability": "kpis.view", "description": ""}
API = "/api/v1/orgs/acme"


@pytest.fixture
def installed(acme):
    catalogue_install(acme)
    return acme


@pytest.fixture
def viewer(acme):
    return make_member(acme, role=Role.VIEWER)


@pytest.fixture
def leaky_kpi(installed):
    """A KPI saved before the rule existed: declared "everyone", reading cost detail; one value in October."""
    kpi = make_kpi(installed, slug="unit_cost", name="Unit cost", formula=LEAK)
    set_value(kpi, date(2026, 10, 1), "12.34", inputs={"metrics": {"personnel": "1234", "units_produced": "100"}})
    return kpi


def test_the_catalogue_gives_each_metric_the_visibility_of_the_kpis_that_read_it(installed):
    caps = dict(Metric.objects.for_org(installed).values_list("slug", "visibility_capability"))
    assert caps["personnel"] == "kpis.view_costs"
    # Since #8 the COO owns cost per unit: what it reads is an operational cost, not cost detail.
    assert caps["production_cost"] == caps["units_produced"] == "kpis.view_operational_costs"
    assert caps["units_shipped"] == "kpis.view"  # the return rate, seen by everyone, reads it too
    assert caps["revenue_ledger"] == "kpis.view"
    assert caps["charges_total"] == "kpis.view_costs"  # read by no KPI: the catalogue says so itself


def test_the_coo_formula_check_treats_cost_metrics_as_unknown_and_previews_nothing(client, installed, bob):
    client.force_login(bob.user)
    html = client.post(url("kpis:formula_check", org_slug="acme"), {"formula": LEAK}).content.decode()
    assert "Unknown metric or KPI “personnel”." in html
    assert 'data-testid="formula-preview"' not in html


def test_the_cfo_formula_check_previews_it_and_says_who_will_see_it(client, installed, alice):
    client.force_login(alice.user)
    html = client.post(url("kpis:formula_check", org_slug="acme"), {"formula": LEAK}).content.decode()
    assert 'data-testid="formula-ok"' in html and 'data-testid="formula-preview"' in html
    assert "only the roles that see it will see this KPI" in html


def test_the_editor_does_not_offer_cost_metrics_to_the_coo(client, installed, bob):
    client.force_login(bob.user)
    html = client.get(url("kpis:kpi_create", org_slug="acme")).content.decode()
    assert "personnel" not in html and "units_shipped" in html


def test_a_kpi_cannot_be_saved_visible_to_everyone_over_cost_metrics(client, installed, alice):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_create", org_slug="acme"), FORM)
    assert response.status_code == 400
    assert "restrict its visibility to the roles that see them" in response.content.decode()
    assert not Kpi.objects.for_org(installed).filter(slug="unit_cost").exists()
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "visibility_capability": "kpis.view_costs"})
    assert response.status_code == 302


def test_the_service_refuses_it_too_and_refuses_widening_a_cost_kpi(installed, alice):
    with pytest.raises(ValidationError) as refused:
        kpi_create(org=installed, by=alice, slug="unit_cost", name="Unit cost", formula=LEAK, recompute=False)
    assert "visibility_capability" in refused.value.message_dict
    margin = Kpi.objects.for_org(installed).get(slug="gross_margin_pct")
    with pytest.raises(ValidationError):
        kpi_update(kpi=margin, by=alice, visibility_capability="kpis.view", recompute=False)
    revenue = Kpi.objects.for_org(installed).get(slug="revenue")
    with pytest.raises(ValidationError):
        kpi_update(kpi=revenue, by=alice, formula="revenue_ledger + personnel", recompute=False)


def test_a_kpi_reading_cost_detail_is_hidden_whatever_it_declares(installed, leaky_kpi, viewer, alice):
    visibility = kpi_visibility_for(installed)
    assert not visibility.allows(viewer, "unit_cost") and visibility.allows(alice, "unit_cost")


@pytest.mark.parametrize("path", ["/kpis/", "/kpis/unit_cost/", "/kpis/unit_cost/values/", "/kpis/unit_cost/lineage/"])
def test_the_api_hides_it_from_a_viewer(client, leaky_kpi, viewer, path):
    client.force_login(viewer.user)
    response = client.get(f"{API}{path}")
    if path == "/kpis/":
        assert "unit_cost" not in {k["slug"] for k in response.json()["results"]}
    else:
        assert response.status_code == 404


def test_the_api_lets_the_cfo_read_it(client, leaky_kpi, alice):
    client.force_login(alice.user)
    values = client.get(f"{API}/kpis/unit_cost/values/", {"start": "2026-10-01", "end": "2026-10-31"}).json()
    assert Decimal(values["results"][0]["value"]) == Decimal("12.34")


def test_the_api_what_if_refuses_a_driver_the_member_may_not_see(client, installed, bob):
    client.force_login(bob.user)  # COO: what-if, but no cost detail
    body = {"period": "2026-10-01", "changes": [{"driver": "personnel", "pct": "10"}]}
    response = client.post(f"{API}/kpis/what-if/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["kpis:catalogue", "kpis:kpi_detail"])
def test_the_pages_hide_it_from_a_viewer(client, leaky_kpi, viewer, name):
    client.force_login(viewer.user)
    kwargs = {"org_slug": "acme"} | ({"kpi_slug": "unit_cost"} if name == "kpis:kpi_detail" else {})
    response = client.get(url(name, **kwargs))
    if name == "kpis:catalogue":
        assert 'data-kpi="unit_cost"' not in response.content.decode()
    else:
        assert response.status_code == 404


def test_the_home_tiles_leave_out_a_kpi_rebuilt_on_cost_detail(installed, bob):
    from kpis.presenters import home_panel_for

    Kpi.objects.for_org(installed).filter(slug="return_rate").update(formula="personnel / units_shipped")
    panel = home_panel_for(bob, today=date(2026, 11, 15))
    assert "return_rate" not in {tile.kpi.slug for tile in (panel or {}).get("tiles", [])}
