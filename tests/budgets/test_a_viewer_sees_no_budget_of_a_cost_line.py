"""Budgets of cost lines are cost detail: a Viewer sees none of their KPIs, on any surface that asks the rule."""

import pytest

from accounts.capabilities import Role
from kpis.selectors import kpi_visibility_for
from tests.factories import make_member

COST_LINE_KPIS = [f"{prefix}{line}{suffix}" for line in ("gross_margin", "external_charges", "personnel", "ebe")
                  for prefix, suffix in (("budget_", ""), ("", "_budget_variance"), ("", "_budget_variance_pct"))]


@pytest.mark.parametrize("slug", [*COST_LINE_KPIS, "budget_variance", "budget_variance_pct"])
def test_a_viewer_may_not_see_a_cost_lines_budget_or_variance(catalogue, slug):
    viewer, cfo = make_member(catalogue, role=Role.VIEWER), make_member(catalogue, role=Role.CFO)
    visibility = kpi_visibility_for(catalogue)
    assert not visibility.allows(viewer, slug)
    assert visibility.allows(cfo, slug)


def test_budgeted_revenue_is_as_visible_as_revenue(catalogue):
    viewer = make_member(catalogue, role=Role.VIEWER)
    visibility = kpi_visibility_for(catalogue)
    assert visibility.allows(viewer, "budget_revenue") and visibility.allows(viewer, "revenue_budget_variance")


def test_the_bi_feed_gives_the_cfo_the_cost_budgets_and_the_viewer_none(client, catalogue):
    from datetime import date

    from kpis.services import kpi_values_recompute
    from tests.budgets.helpers import budget
    from tests.kpis.engine.records import ledger

    ledger(catalogue, "641000", date(2026, 3, 5), debit=200)
    budget(catalogue, date(2026, 3, 1), {"64": 300, "706": 1000})
    kpi_values_recompute(org=catalogue, kpi_slugs={"personnel_budget_variance", "revenue_budget_variance"},
                         today=date(2026, 6, 15))

    def feed(role):
        client.force_login(make_member(catalogue, role=role).user)
        response = client.get(f"/api/v1/orgs/{catalogue.slug}/feed/kpi-values.csv")
        return b"".join(response.streaming_content).decode("utf-8-sig")

    assert "personnel_budget_variance" in feed(Role.CFO)
    viewers = feed(Role.VIEWER)
    assert "revenue_budget_variance" in viewers and "personnel_budget_variance" not in viewers
