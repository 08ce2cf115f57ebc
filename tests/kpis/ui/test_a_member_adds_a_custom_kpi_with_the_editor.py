"""A steering member adds a custom KPI with a formula; an invalid formula saves nothing and says why."""

from kpis.models import Kpi
from tests.conftest import url

FORM = {"name": "Revenue per head", "slug": "", "formula": "revenue / 12", "unit": "eur", "direction": "higher",
        "category": "financial", "owner_role": "cfo", "visibility_capability": "kpis.view", "description": ""}


def test_cfo_creates_a_custom_kpi_and_lands_on_its_page(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_create", org_slug="acme"), FORM)
    kpi = Kpi.objects.for_org(alice.organization).get(slug="revenue_per_head")
    assert (kpi.formula, kpi.name, kpi.is_builtin) == ("revenue / 12", "Revenue per head", False)
    assert response.status_code == 302
    assert response["Location"] == url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue_per_head")


def test_an_invalid_formula_is_refused_and_nothing_is_saved(client, alice, acme_kpis):
    client.force_login(alice.user)
    before = Kpi.objects.count()
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "formula": "revenue / refunds"})
    assert response.status_code == 400
    assert "Unknown metric or KPI “refunds”." in response.content.decode()
    assert Kpi.objects.count() == before


def test_a_role_without_cost_detail_cannot_build_on_a_cost_kpi(client, bob, acme_kpis):
    client.force_login(bob.user)  # COO
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "formula": "gross_margin * 2"})
    assert response.status_code == 400
    assert not Kpi.objects.filter(slug="revenue_per_head").exists()


def test_viewer_may_not_open_the_editor(client, acme, acme_kpis):
    from tests.factories import make_member

    viewer = make_member(acme, role="viewer")
    client.force_login(viewer.user)
    assert client.get(url("kpis:kpi_create", org_slug="acme")).status_code == 403


def test_editing_a_kpi_changes_its_formula(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_edit", org_slug="acme", kpi_slug="gross_margin"),
                           {**FORM, "name": "Gross margin %", "formula": "revenue / 4", "unit": "percent",
                            "visibility_capability": "kpis.view_costs"})
    assert response.status_code == 302
    acme_kpis["gross_margin"].refresh_from_db()
    assert acme_kpis["gross_margin"].formula == "revenue / 4"


def test_a_kpi_built_on_cost_detail_cannot_be_shown_to_everyone(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "formula": "gross_margin * 2"})
    assert response.status_code == 400
    assert "restrict its visibility to the roles that see them" in response.content.decode()
    response = client.post(url("kpis:kpi_create", org_slug="acme"),
                           {**FORM, "formula": "gross_margin * 2", "visibility_capability": "kpis.view_costs"})
    assert response.status_code == 302
    assert Kpi.objects.for_org(alice.organization).get(slug="revenue_per_head").visibility_capability == \
        "kpis.view_costs"


def test_a_custom_kpi_can_be_deleted_unless_another_formula_reads_it(client, alice, acme_kpis):
    from tests.kpis.ui.kpi_data import make_kpi

    org = alice.organization
    make_kpi(org, slug="half", formula="revenue / 2")
    make_kpi(org, slug="quarter", formula="half / 2")
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_delete", org_slug="acme", kpi_slug="half"))
    assert response["Location"] == url("kpis:kpi_edit", org_slug="acme", kpi_slug="half")  # "quarter" reads it
    assert Kpi.objects.for_org(org).filter(slug="half").exists()
    assert client.post(url("kpis:kpi_delete", org_slug="acme", kpi_slug="quarter")).status_code == 302
    assert not Kpi.objects.for_org(org).filter(slug="quarter").exists()


def test_a_kpi_named_new_gets_a_reference_that_its_page_can_use(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "name": "New"})
    assert response["Location"] == url("kpis:kpi_detail", org_slug="acme", kpi_slug="kpi_new")
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**FORM, "name": "Other", "slug": "new"})
    assert response.status_code == 400
