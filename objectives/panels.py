"""This app's panel under the member's role dashboard, the organization's home page (dashboards.views).

Everyone sees the quarter's objectives counted by status, what is due from them and their own
objectives with status and risk; whoever can adopt a derived target sees those waiting; the CEO
also sees the top risks.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from accounts.models import Membership
from config.kept_sql import kept_query
from kpis.periods import period_containing
from kpis.selectors import kpi_visibility_for
from objectives import selectors
from objectives.models import DerivedTarget
from objectives.services import can_set_kind

TOP_RISKS = 3


def home_panel(membership: Membership, *, tree: selectors.Tree | None = None,
               visible_kpi_ids: set[int] | None = None) -> tuple[str, dict] | None:
    """`tree` (this quarter's) and `visible_kpi_ids`, when the page has them already, save their queries."""
    if membership.organization.is_consultancy or not membership.can("objectives.view"):
        return None
    org = membership.organization
    today = timezone.localdate()
    quarter = period_containing(today, "quarter", org.fiscal_year_start_month)
    if tree is None:
        tree = selectors.objective_tree_for(org, start=quarter.start, end=quarter.end, today=today)
    nodes = tree.all()
    mine = [n for n in nodes if n.objective.owner_id == membership.pk]
    due = [n for n in mine if n.is_check_in_due] if membership.can("objectives.check_in") else []
    if visible_kpi_ids is None:
        visible_kpi_ids = kpi_visibility_for(org).kpi_ids_for(membership)
    accepted = kept_query(("objectives.derived_accepted", org.pk), lambda: DerivedTarget.objects.for_org(org).filter(
        status=DerivedTarget.Status.ACCEPTED).select_related("kpi", "objective"))
    waiting = [d for d in accepted if can_set_kind(membership, d.kind) and d.kpi_id in visible_kpi_ids]
    summary = Counter(n.risk.level if n.risk else "no_data" for n in nodes)
    top_risks = None
    if membership.can("objectives.set_strategic"):
        scored = [n for n in nodes if n.risk and n.risk.score is not None]
        top_risks = sorted(scored, key=lambda n: -n.risk.score)[:TOP_RISKS]
    if not (nodes or waiting):
        return None
    return "objectives/partials/home_panel.html", {
        "quarter": quarter, "due": due, "mine": mine, "waiting": waiting, "summary": summary,
        "top_risks": top_risks, "total": len(nodes)}
