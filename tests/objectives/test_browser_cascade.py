"""The cascade in a real browser: collapse and expand a branch, and check in from the tree, without a reload."""

import pytest

from objectives.models import CheckIn, Objective
from tests.browser.conftest import browser, log_in, page  # noqa: F401  (fixtures)
from tests.factories import PASSWORD
from tests.objectives.helpers import make_key_result, make_objective

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coo_collapses_a_branch_and_checks_in_from_the_tree(page, acme, alice, bob):  # noqa: F811
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
    page.click(f"#children-{parent.pk} > button.tree-toggle")
    page.wait_for_selector(f"#node-row-{child.pk}", state="detached")
    page.click(f"#children-{parent.pk} > button.tree-toggle")
    page.wait_for_selector(f"#node-row-{child.pk}")

    page.click(f"#node-row-{child.pk} details.quick-check-in summary")
    page.select_option(f"#conf-{child.pk}", "at_risk")
    page.fill(f"#note-{child.pk}", "Carrier strike")
    page.click(f"#node-row-{child.pk} form button[type=submit]")
    page.wait_for_selector(f"#node-row-{child.pk} .saved-flag")
    check_in = CheckIn.objects.for_org(acme).get()
    assert (check_in.objective, check_in.confidence, check_in.note) == (child, "at_risk", "Carrier strike")
