"""Every role, CMO and CXO included, lands on its own dashboard, and its charts draw in a real browser."""

from datetime import date

import pytest

from accounts.capabilities import Role
from kpis.catalogue import role_pack
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_member, make_org
from tests.kpis.ui.kpi_data import make_kpi, set_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [Role.CEO, Role.CFO, Role.COO, Role.CRO, Role.CMO, Role.CXO, Role.VIEWER]


def _company_with_history():
    org = make_org(name="Maison Lumen", slug="lumen")
    slugs = {s for role in ROLES for s in role_pack(role).kpis}
    last = date.today().replace(day=1)
    for i, slug in enumerate(sorted(slugs)):
        kpi = make_kpi(org, slug=slug, unit="percent" if "rate" in slug else "eur")
        set_history(kpi, last=last, values=[str(100 + i + m) for m in range(25)], targets=["110"] * 25)
    return org


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_dashboard_and_its_charts_draw(page, role):
    org = _company_with_history()
    member = make_member(org, role=role, email=f"{role}@lumen.test")
    page.set_default_timeout(30_000)  # a loaded 2-core machine draws a dozen charts slowly
    log_in(page, member.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    assert f"{Role(role).label} dashboard" in page.content()
    page.wait_for_selector("[data-widget=trend] [data-chart] svg")
    charts = page.locator("[data-chart]")
    drawn = page.locator("[data-chart] svg, [data-chart] canvas")
    assert charts.count() >= 3 and drawn.count() == charts.count()
