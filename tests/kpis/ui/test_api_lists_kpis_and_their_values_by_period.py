"""KPI API: the catalogue, and materialised values filtered by grain, dates and dimension; in the OpenAPI schema."""

from datetime import date

import yaml

from tests.kpis.ui.kpi_data import set_target, set_value


def test_list_gives_each_kpi_with_its_exact_formula(client, alice, acme_kpis):
    client.force_login(alice.user)
    body = client.get("/api/v1/orgs/acme/kpis/").json()
    assert body["count"] == 2
    assert [(k["slug"], k["formula"], k["unit"]) for k in body["results"]] == [
        ("revenue", "sales", "eur"), ("gross_margin", "revenue / 2", "percent")]


def test_values_of_chosen_months_with_target_and_status(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    set_value(revenue, date(2026, 8, 1), "900.5")
    set_value(revenue, date(2026, 9, 1), None, reason="no data yet (invoices)")
    set_target(revenue, date(2026, 8, 1), "1000")
    client.force_login(alice.user)
    body = client.get("/api/v1/orgs/acme/kpis/revenue/values/",
                      {"grain": "month", "start": "2026-08-01", "end": "2026-09-30"}).json()
    assert [(p["period_start"], p["value"], p["target"], p["status"], p["no_value_reason"])
            for p in body["results"]] == [
        ("2026-08-01", "900.500000", "1000.0000", "at_risk", ""),  # 900.5 ≥ 1,000 − 100
        ("2026-09-01", None, None, "no_data", "No data for this period"),  # plain words, not the engine's
    ]


def test_a_missing_value_is_explained_in_the_readers_language(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 9, 1), None, reason="gross_margin has no value (division by zero)")
    client.force_login(alice.user)
    body = client.get("/api/v1/orgs/acme/kpis/revenue/values/",
                      {"grain": "month", "start": "2026-09-01", "end": "2026-09-30"}, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["results"][0]["no_value_reason"] == "Incalculable sur cette période : un diviseur est nul"


def test_values_by_dimension(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "700", dimension_value="Retail")
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "300", dimension_value="Wholesale")
    client.force_login(alice.user)
    body = client.get("/api/v1/orgs/acme/kpis/revenue/values/",
                      {"start": "2026-10-01", "end": "2026-10-31", "dimension": "Wholesale"}).json()
    assert body["dimension_values"] == ["Retail", "Wholesale"]
    assert [p["value"] for p in body["results"]] == ["300.000000"]


def test_an_end_before_the_start_is_a_400(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.get("/api/v1/orgs/acme/kpis/revenue/values/", {"start": "2026-10-01", "end": "2026-01-01"})
    assert response.status_code == 400


def test_the_schema_documents_the_kpi_endpoints(client, alice):
    client.force_login(alice.user)  # the schema is for logged-in users
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]
    for path in ("/api/v1/orgs/{org_slug}/kpis/", "/api/v1/orgs/{org_slug}/kpis/{slug}/",
                 "/api/v1/orgs/{org_slug}/kpis/{slug}/values/", "/api/v1/orgs/{org_slug}/kpis/{slug}/lineage/",
                 "/api/v1/orgs/{org_slug}/kpis/what-if/"):
        assert path in paths, path
    values_params = {p["name"] for p in paths["/api/v1/orgs/{org_slug}/kpis/{slug}/values/"]["get"]["parameters"]}
    assert {"grain", "start", "end", "dimension"} <= values_params
    assert "post" in paths["/api/v1/orgs/{org_slug}/kpis/what-if/"]
