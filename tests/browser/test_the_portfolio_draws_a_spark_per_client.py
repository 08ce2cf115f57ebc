"""The portfolio in a real browser: a consultant opens it and each client's revenue spark is drawn."""

import re

import pytest

from accounts.capabilities import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_consultancy, make_member
from tests.portfolio.helpers import client_of, month, value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_portfolio_shows_every_client_with_its_spark_drawn(page):
    firm = make_consultancy(name="Cap & Route Conseil", slug="cap-route")
    olivier = make_member(firm, role=Role.COO, email="olivier@caproute.test")
    for name in ("Maison Lumen", "Nuage Analytics", "Atelier Bois Fin"):
        org = client_of(olivier, name=name)
        for offset in range(12):
            value(org, "revenue", 1000 + 100 * offset, on=month(-offset))

    log_in(page, "olivier@caproute.test", PASSWORD)
    page.wait_for_url(re.compile(r"/o/cap-route/clients/"))

    assert page.locator("table.portfolio-table tbody tr").count() == 3
    page.wait_for_function("document.querySelectorAll('.portfolio-table .sparkline svg path').length >= 3")
    for row in page.locator("table.portfolio-table tbody tr").all():
        assert row.locator(".sparkline svg path").count() >= 1
    page.screenshot(path="/tmp/portfolio_overview.png", full_page=True)
