"""The navigation of an organization: each entry shows only if its route exists and the role may use it.

Apps add their entries here; an entry whose URL name is not registered yet is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

NAVIGATION = [
    # (url name, label, capability, only for consultancies: True, only for companies: "company", both: False)
    ("accounts:org_home", _("Home"), "org.view", False),
    ("portfolio:overview", _("Portfolio"), "portfolio.view", True),
    ("portfolio:inbox", _("Inbox"), "portfolio.view", True),
    ("portfolio:benchmarks", _("Benchmarks"), "portfolio.view", True),
    ("portfolio:consolidation_list", _("Consolidations"), "portfolio.view", True),
    ("accounts:portfolio", _("Engagements"), "org.view", True),
    ("portfolio:consolidation_requests", _("Consolidation"), "consolidation.approve", "company"),
    ("objectives:cascade", _("Objectives"), "objectives.view", False),
    ("objectives:review_list", _("Reviews"), "reviews.view", False),
    ("kpis:catalogue", _("KPIs"), "kpis.view", False),
    ("budgets:budget_page", _("Budgets"), "kpis.view_costs", False),
    ("alerts:alert_list", _("Alerts"), "alerts.view", False),
    ("reports:report_home", _("Reports"), "reports.view", False),
    ("integrations:connection_list", _("Integrations"), "integrations.view", False),
    ("imports:import_list", _("Imports"), "imports.manage", False),
    ("accounts:member_list", _("Members"), "members.view", False),
    ("accounts:audit_log", _("Audit log"), "audit.view", False),
    ("accounts:api_key_list", _("API keys"), "api_keys.manage", False),
]


@dataclass(frozen=True)
class NavItem:
    url_name: str
    url: str
    label: str


def navigation_for(membership: Membership) -> list[NavItem]:
    org = membership.organization
    items = []
    for url_name, label, capability, consultancy_only in NAVIGATION:
        if consultancy_only == "company" and org.is_consultancy:
            continue
        if consultancy_only is True and not org.is_consultancy:
            continue
        if not membership.can(capability):
            continue
        try:
            url = reverse(url_name, kwargs={"org_slug": org.slug})
        except NoReverseMatch:
            continue
        items.append(NavItem(url_name=url_name, url=url, label=str(label)))
    return items
