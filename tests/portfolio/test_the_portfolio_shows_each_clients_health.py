"""The portfolio: every client the consultant serves in one table, figures read from the KPI values."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from objectives.models import CheckIn
from portfolio.clients import reading_clients
from portfolio.health import client_health
from tests.conftest import url
from tests.objectives.helpers import make_check_in, make_objective
from tests.portfolio.helpers import client_of, consultant_of, month, target, value

pytestmark = pytest.mark.django_db


def _health(member):
    with reading_clients(member) as clients:
        return {h.org.slug: h for h in client_health(clients)}


def test_each_figure_is_the_clients_kpi_value_of_the_last_closed_month(capfirm):
    olivier = consultant_of(capfirm)
    lumen = client_of(olivier, name="Lumen", role=Role.CFO)
    value(lumen, "revenue", "120000")
    value(lumen, "revenue", "90000", on=month(-1))
    target(lumen, "revenue", "100000")
    value(lumen, "gross_margin_pct", "41.5")
    value(lumen, "net_cash", "250000")
    value(lumen, "runway_months", "7.5")
    value(lumen, "dso", "48")
    value(lumen, "late_invoices_amount", "15300")

    row = _health(olivier)[lumen.slug]

    assert row.figures == {"revenue": Decimal("120000"), "gross_margin_pct": Decimal("41.5"),
                           "net_cash": Decimal("250000"), "runway_months": Decimal("7.5"), "dso": Decimal("48"),
                           "late_invoices_amount": Decimal("15300")}
    assert row.revenue_target == Decimal("100000") and row.revenue_status == "on_track"
    assert row.spark[-2:] == [Decimal("90000"), Decimal("120000")] and len(row.spark) == 12


def test_a_figure_the_consultants_role_may_not_see_is_hidden_not_read(capfirm):
    olivier = consultant_of(capfirm)
    coo_client = client_of(olivier, role=Role.COO)
    value(coo_client, "gross_margin_pct", "41.5")
    value(coo_client, "revenue", "1000")

    row = _health(olivier)[coo_client.slug]

    assert "gross_margin_pct" in row.hidden and "gross_margin_pct" not in row.figures
    assert row.figures["revenue"] == Decimal("1000")


def test_objectives_are_counted_by_their_last_check_in_and_the_worst_is_the_top_risk(capfirm):
    olivier = consultant_of(capfirm)
    org = client_of(olivier)
    this_quarter = {"start": month(-2), "end": month(4)}
    calm = make_objective(org, title="Calm", **this_quarter)
    make_check_in(calm, confidence=CheckIn.Confidence.ON_TRACK)
    worrying = make_objective(org, title="Worrying", **this_quarter)
    make_check_in(worrying, confidence=CheckIn.Confidence.ON_TRACK, on=month(-1))
    make_check_in(worrying, confidence=CheckIn.Confidence.OFF_TRACK)
    make_objective(org, title="Silent", **this_quarter)

    row = _health(olivier)[org.slug]

    assert row.objectives == {"on_track": 1, "at_risk": 0, "off_track": 1, "no_check_in": 1}
    assert row.top_risk.title == "Worrying"


def test_open_alerts_read_zero_until_alerts_exist(capfirm):
    olivier = consultant_of(capfirm)
    org = client_of(olivier)
    assert _health(olivier)[org.slug].open_alerts == 0


def test_the_page_lists_every_served_client_with_a_link_to_it(client, capfirm):
    olivier = consultant_of(capfirm)
    lumen = client_of(olivier, name="Lumen")
    value(lumen, "revenue", "120000")
    client.force_login(olivier.user)

    page = client.get(url("portfolio:overview", org_slug=capfirm.slug))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Lumen" in html and f'href="/o/{lumen.slug}/"' in html
    assert "120,000" in html or "120 000" in html


def test_sorting_by_dso_puts_the_slowest_payer_first_when_descending(client, capfirm):
    olivier = consultant_of(capfirm)
    for name, dso in (("Fast", 20), ("Slow", 90), ("Middle", 45)):
        value(client_of(olivier, name=name), "dso", dso)
    client.force_login(olivier.user)

    html = client.get(url("portfolio:overview", org_slug=capfirm.slug) + "?sort=-dso").content.decode()
    html = html[html.index("portfolio-table"):]  # the org switcher names them too, alphabetically

    assert html.index("Slow") < html.index("Middle") < html.index("Fast")


def _clients_with_data(olivier, n):
    for _ in range(n):
        org = client_of(olivier)
        for slug in ("revenue", "gross_margin_pct", "net_cash", "dso"):
            value(org, slug, 100)
            value(org, slug, 90, on=month(-1))
        make_check_in(make_objective(org, start=month(-2), end=month(4)))


def test_the_page_makes_the_same_number_of_queries_for_3_or_30_clients(client, capfirm):
    olivier = consultant_of(capfirm)
    client.force_login(olivier.user)
    client.get(url("portfolio:overview", org_slug=capfirm.slug))  # the first visit records the session and the last organization
    counts = []
    for clients in (3, 27):
        _clients_with_data(olivier, clients)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url("portfolio:overview", org_slug=capfirm.slug))
        assert page.content.decode().count('data-client="') == (3 if clients == 3 else 30)
        counts.append(len(queries))
    # Two are every page's (user and membership; the session comes from its cache); the page's own are the
    # groups, the client memberships, the clients' KPIs and metrics, their values and targets, objectives, connections,
    # rejected records and alerts, and the savepoint around the clients' read (accounts.rls).
    assert counts[0] == counts[1] <= 12
