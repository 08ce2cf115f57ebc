"""The CFO types a budget cell in a real browser: HTMX saves it as she leaves it, totals follow, errors show."""

import os
import re
from datetime import date
from decimal import Decimal

import pytest

from accounts.capabilities import Role
from budgets.models import BudgetLine
from tests.browser.conftest import log_in
from tests.budgets.helpers import budget
from tests.factories import PASSWORD, make_member, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cfo_types_a_cell_and_the_totals_follow_then_a_wrong_amount_is_explained(page):
    lumen = make_org(name="Maison Lumen", slug="lumen")
    make_member(lumen, role=Role.CFO, email="cfo@lumen.test")
    version = budget(lumen, date(2026, 1, 1), {"64": 17750, "707": 68000}, label="Ligne")

    log_in(page, "cfo@lumen.test", PASSWORD)
    page.wait_for_url(re.compile(r"/o/lumen/"))
    page.goto("/o/lumen/budgets/")
    cell = page.locator("#cell-64-2026-02-01")
    cell.fill("18000")
    cell.press("Tab")
    page.locator("tr[data-account='64'] td.total", has_text="35,750").wait_for()
    assert BudgetLine.objects.get(version=version, account_number="64", month=date(2026, 2, 1)).amount == \
        Decimal(18000)

    cell = page.locator("#cell-64-2026-03-01")
    cell.fill("beaucoup")
    cell.press("Tab")
    page.locator(".cell-error", has_text="Type an amount").wait_for()
    assert page.locator("#cell-64-2026-03-01").get_attribute("aria-invalid") == "true"
    if os.environ.get("PILOTAGE_SCREENSHOTS"):
        page.set_viewport_size({"width": 1400, "height": 700})
        page.screenshot(path="docs/screenshots/budget-grid-error.png", full_page=True)
