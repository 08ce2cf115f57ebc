"""The cascade in a real browser: collapse and expand a branch, and check in from the tree, without a reload."""

import shutil

import pytest

from objectives.models import CheckIn, Objective
from tests.factories import PASSWORD
from tests.objectives.helpers import make_key_result, make_objective
from tests.browser.conftest import settle_and_close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server):
    """Chromium for this test only; the async-unsafe switch (ORM calls beside Playwright's loop) is set
    for its duration rather than for the whole test run."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
        page.set_default_timeout(10_000)
        yield page
        settle_and_close(page.context)
        browser.close()


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_the_coo_collapses_a_branch_and_checks_in_from_the_tree(page, acme, alice, bob):
    from django.utils import timezone

    from kpis.periods import period_containing

    quarter = period_containing(timezone.localdate(), "quarter")
    parent = make_objective(acme, owner=alice, title="Invoice 500 K€", start=quarter.start, end=quarter.end)
    make_key_result(parent, start="0", target="10", manual_value="5")
    child = make_objective(acme, owner=bob, parent=parent, kind=Objective.Kind.OPERATIONAL, title="Ship faster",
                           start=quarter.start, end=quarter.end)

    log_in(page, "bob@acme.test", PASSWORD)
    page.wait_for_url("**/o/acme/**")
    page.goto("/o/acme/objectives/")
    branch = f"details.cascade-branch:has(#node-row-{child.pk}) > summary.tree-toggle"  # the parent's sub-objectives
    page.click(branch)
    page.wait_for_selector(f"#node-row-{child.pk}", state="hidden")
    page.click(branch)
    page.wait_for_selector(f"#node-row-{child.pk}", state="visible")

    page.click(f"#node-row-{child.pk} details.quick-check-in summary")
    page.select_option(f"#conf-{child.pk}", "at_risk")
    page.fill(f"#note-{child.pk}", "Carrier strike")
    page.click(f"#node-row-{child.pk} form button[type=submit]")
    page.wait_for_selector(f"#node-row-{child.pk} .saved-flag")
    check_in = CheckIn.objects.for_org(acme).get()
    assert (check_in.objective, check_in.confidence, check_in.note) == (child, "at_risk", "Carrier strike")
