"""Lineage: the canonical records behind each metric of a value, 25 a page on the KPI page, paginated with HTMX."""

from datetime import date

from tests.conftest import url
from tests.kpis.engine.records import invoice
from tests.kpis.ui.kpi_data import make_kpi, make_metric


def _sixty_invoices(org):
    make_metric(org, slug="sales", name="Customer invoices excl. VAT")
    make_kpi(org, slug="revenue", name="Revenue", formula="sales")
    for day in range(1, 31):  # two invoices a day in October 2026: 60 records
        invoice(org, date(2026, 10, day), excl="100.00", number=f"F-10-{day:02d}-A")
        invoice(org, date(2026, 10, day), excl="50.00", number=f"F-10-{day:02d}-B")
    invoice(org, date(2026, 9, 30), excl="999.00", number="F-09-30")  # another month: not listed


def _lineage(client, member, **params) -> str:
    client.force_login(member.user)
    response = client.get(url("kpis:kpi_lineage", org_slug="acme", kpi_slug="revenue"),
                          {"month": "2026-10", **params}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    return response.content.decode()


def test_first_page_shows_25_of_60_records_newest_first(client, acme, alice):
    _sixty_invoices(acme)
    html = _lineage(client, alice)
    assert "60 records (Invoices) made “Customer invoices excl. VAT” for October 2026." in html
    assert "1–25 of 60" in html and "Page 1 of 3" in html
    assert html.count("<tr><td>Demo data<br>") == 25
    assert "F-10-30-" in html and "F-10-01-" not in html and "F-09-30" not in html
    assert "<!doctype" not in html  # an HTMX fragment, not a page


def test_third_page_holds_the_last_ten_and_no_next_link(client, acme, alice):
    _sixty_invoices(acme)
    html = _lineage(client, alice, page="3")
    assert "51–60 of 60" in html and "Page 3 of 3" in html
    assert html.count("<tr><td>Demo data<br>") == 10
    assert "F-10-01-" in html
    assert 'aria-disabled="true">Next</a>' in html
    assert "page=2" in html  # the previous page stays reachable


def test_without_htmx_the_records_are_a_page_of_their_own(client, acme, alice):
    _sixty_invoices(acme)
    client.force_login(alice.user)
    html = client.get(url("kpis:kpi_lineage", org_slug="acme", kpi_slug="revenue"), {"month": "2026-10"}).content.decode()
    assert "<!doctype html>" in html and "Source records of Revenue" in html


def test_the_api_pages_through_the_same_records(client, acme, alice):
    _sixty_invoices(acme)
    client.force_login(alice.user)
    body = client.get("/api/v1/orgs/acme/kpis/revenue/lineage/",
                      {"period": "2026-10-01", "page": 2, "page_size": 50}).json()
    [sales] = body["metrics"]
    assert (sales["metric"], sales["total"], sales["page"], sales["has_next"]) == ("sales", 60, 2, False)
    assert len(sales["results"]) == 10
    assert sales["results"][0]["fields"]["amount_excl_tax"] in ("100.00", "50.00")
