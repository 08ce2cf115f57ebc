"""Every page people read renders from the values the engine materialised: with a company's ledger, invoices,
orders and deals recomputed by the real engine, no page reads a raw record at render (issue #13). The records
browser and the lineage panel, which exist to show raw records, are the exceptions (the KPI page loads its lineage
afterwards, in a request of its own), and so is a consolidation, which sums the invoices of the parties marked
intercompany."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from kpis.services import catalogue_install, kpi_values_recompute
from tests.conftest import url
from tests.dashboards.helpers import make_dashboard, make_widget
from tests.factories import make_member
from tests.kpis.engine.records import at, deal, invoice, ledger, order
from tests.objectives.helpers import make_action_plan, make_key_result, make_objective
from tests.raw_records import raw_record_queries

TODAY = date(2026, 11, 20)


@pytest.fixture
def recomputed(acme):
    catalogue_install(acme)
    for month in range(1, 11):
        day = date(2026, month, 10)
        ledger(acme, "706000", day, credit=1000 + month)
        ledger(acme, "607000", day, debit=400)
        ledger(acme, "512000", day, debit=600)
        invoice(acme, day, excl=1000 + month)
        order(acme, placed=at(day), shipped=at(date(2026, month, 12)), delivered=date(2026, month, 14),
              promised=date(2026, month, 15), amount=200)
        deal(acme, created=day, amount=5000, won=month % 2 == 0, closed=day)
    kpi_values_recompute(org=acme, today=TODAY)
    return acme


def _company_pages(org, owner):
    from kpis.models import Kpi

    revenue = Kpi.objects.for_org(org).get(slug="revenue")
    objective = make_objective(org, owner=owner)
    make_key_result(objective, kpi=revenue, target="20000")
    make_action_plan(make_objective(org, owner=owner, parent=objective))
    team = make_dashboard(org, owner=owner, name="Team")
    for kind in ("kpi_tile", "trend", "breakdown", "heatmap", "ageing", "objectives", "action_plans", "freshness"):
        make_widget(team, kind=kind, kpi=revenue)
    return {
        "home": url("accounts:org_home", org_slug=org.slug),
        "cascade": url("objectives:cascade", org_slug=org.slug),
        "objective": url("objectives:objective_detail", org_slug=org.slug, objective_id=objective.pk),
        "catalogue": url("kpis:catalogue", org_slug=org.slug),
        "kpi page": url("kpis:kpi_detail", org_slug=org.slug, kpi_slug="revenue"),
        "dashboards": url("dashboards:dashboard_list", org_slug=org.slug),
        "team dashboard": url("dashboards:dashboard_detail", org_slug=org.slug, dashboard_id=team.pk),
        "alerts": url("alerts:alert_list", org_slug=org.slug),
    }


def _pages_reading_raw(client, pages: dict[str, str]) -> tuple[dict[str, list[str]], dict]:
    """{page: the queries it made on raw records} for each page that made any; every page must answer 200.
    Returns the responses too, by page."""
    reading_raw, responses = {}, {}
    for name, path in pages.items():
        with CaptureQueriesContext(connection) as ctx:
            responses[name] = client.get(path)
        assert responses[name].status_code == 200, (name, responses[name].status_code)
        if raw := raw_record_queries(ctx.captured_queries):
            reading_raw[name] = [q[:160] for q in raw]
    return reading_raw, responses


@pytest.mark.parametrize("role", [Role.CEO, Role.CFO, Role.COO, Role.CRO, Role.CMO, Role.CXO])
def test_no_page_reads_a_raw_record_at_render(client, recomputed, role):
    member = make_member(recomputed, role=role)
    pages = _company_pages(recomputed, member)
    client.force_login(member.user)
    client.get(pages["home"])  # the session's first request records it once
    reading_raw, _ = _pages_reading_raw(client, pages)
    assert list(reading_raw) == [], reading_raw


def test_the_consultants_pages_read_no_raw_record_of_any_client(client, capfirm):
    from tests.portfolio.helpers import client_of, consultant_of

    consultant = consultant_of(capfirm)
    companies = []
    for n in range(3):
        company = client_of(consultant)
        companies.append(company)
        catalogue_install(company)
        for month in range(1, 11):
            day = date(2026, month, 10)
            ledger(company, "706000", day, credit=1000 * (n + 1))
            ledger(company, "607000", day, debit=300)
            invoice(company, day, excl=1000 * (n + 1))
        kpi_values_recompute(org=company, today=TODAY)
    client.force_login(consultant.user)
    pages = {name: url(f"portfolio:{name}", org_slug=capfirm.slug) for name in ("overview", "inbox", "benchmarks")}
    reading_raw, responses = _pages_reading_raw(client, pages)
    assert all(c.name in responses["overview"].content.decode() for c in companies)
    assert list(reading_raw) == [], reading_raw
