"""The navigation of an organization: each entry shows only if its route exists and the role may use it.

Apps add their entries here; an entry whose URL name is not registered yet is left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
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
    """The entries this membership's role sees in its organization; worked out once per process for each
    (organization, role, language) rather than on every page: ~20 `reverse` calls and capability checks."""
    org = membership.organization
    return list(_navigation(org.slug, org.is_consultancy, membership.role, get_language(),
                            settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()))


@functools.lru_cache(maxsize=4096)
def _navigation(slug: str, is_consultancy: bool, role: str, _language, _root_urlconf, _urlconf, _script_prefix
                ) -> tuple[NavItem, ...]:
    """Every argument is an input of the result: the URLs depend on the URL configuration and its prefix."""
    probe = Membership(role=role)  # `can` reads the role alone (accounts.capabilities)
    items = []
    for url_name, label, capability, consultancy_only in NAVIGATION:
        if consultancy_only == "company" and is_consultancy:
            continue
        if consultancy_only is True and not is_consultancy:
            continue
        if not probe.can(capability):
            continue
        try:
            url = reverse(url_name, kwargs={"org_slug": slug})
        except NoReverseMatch:
            continue
        items.append(NavItem(url_name=url_name, url=url, label=str(label)))
    return tuple(items)
