"""Roles are data: this table answers "what may a COO do?" in one place, and one test walks it.

A capability is `<area>.<action>`. Views declare the one they need with
`@require_capability`; templates ask `membership.can`. No code compares role names.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CEO = "ceo", _("CEO")
    CFO = "cfo", _("CFO")
    COO = "coo", _("COO")
    CRO = "cro", _("CRO")
    CMO = "cmo", _("CMO")
    CXO = "cxo", _("CXO")
    ADMIN = "admin", _("Admin")
    VIEWER = "viewer", _("Viewer")


EVERYONE = {
    "org.view",
    "dashboards.view",
    "kpis.view",
    "objectives.view",
    "reviews.view",
    "alerts.view",  # which alerts a member sees follows the data behind them (Alert.audience)
    "reports.view",  # one's own sent reports, and a preview sent to oneself
    "portfolio.view",  # a consultancy's members: the clients each serves (nothing in a company)
}
STEERING = {  # the four executives share the day-to-day steering work
    "kpis.edit",
    "kpis.what_if",
    "objectives.check_in",
    "action_plans.manage",
    "imports.manage",
    "alerts.respond",
    "alerts.manage",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CEO: frozenset(
        EVERYONE
        | STEERING
        | {
            "objectives.set_strategic",
            "objectives.set_financial",
            "objectives.set_operational",
            "objectives.set_commercial",
            "objectives.templates",
            "reviews.manage",
            "kpis.view_costs",
            "kpis.view_operational_costs",
            "members.view",
            "members.manage",
            "audit.view",
            "integrations.view",
            "integrations.manage",
            "integrations.map_accounts",
            "engagements.manage",
            "api_keys.manage",
            "budgets.manage",
            "reports.manage",
            "portfolio.manage",
            "consolidation.approve",  # the owners' decision: the company's figures join a group consolidation
            "dashboards.manage",
        }
    ),
    Role.CFO: frozenset(
        EVERYONE
        | STEERING
        | {
            "objectives.set_financial",
            "objectives.templates",
            "reviews.manage",
            "kpis.view_costs",
            "kpis.view_operational_costs",
            "members.view",
            "integrations.view",
            "budgets.manage",
            "reports.manage",
            "integrations.map_accounts",  # which PCG class a provider's account counts in
        }
    ),
    # The COO also applies objective templates: consultancies engage their consultants as outsourced COOs.
    # They own the operational costs (cost per unit, logistics cost per order), not margin and cost detail.
    # In a consultancy they also keep the portfolio's client groups and consolidations (portfolio.manage).
    Role.COO: frozenset(
        EVERYONE
        | STEERING
        | {"objectives.set_operational", "objectives.templates", "reviews.manage", "members.view", "integrations.view",
           "kpis.view_operational_costs", "portfolio.manage"}
    ),
    Role.CRO: frozenset(EVERYONE | STEERING | {"objectives.set_commercial", "members.view", "integrations.view"}),
    # The CMO owns marketing spend and its return (spend and ROI by channel, cost per lead, CAC): commercial
    # objectives, like the CRO, whose peer it is.
    Role.CMO: frozenset(EVERYONE | STEERING | {"objectives.set_commercial", "members.view", "integrations.view"}),
    # The CXO owns customer experience (NPS/CSAT, churn, on-time delivery, returns): operational objectives,
    # without the operational costs the COO owns.
    Role.CXO: frozenset(EVERYONE | STEERING | {"objectives.set_operational", "members.view", "integrations.view"}),
    # The admin runs the tooling and need not see cost and margin detail.
    Role.ADMIN: frozenset(
        EVERYONE
        | {
            "members.view",
            "members.manage",
            "audit.view",
            "integrations.view",
            "integrations.manage",
            "imports.manage",
            "engagements.manage",
            "api_keys.manage",
            "alerts.respond",  # sync failures are the admin's to handle
            "reports.manage",  # schedules, recipients, branding: the archive shows only reports within its role
            "portfolio.manage",
            "dashboards.manage",
        }
    ),
    Role.VIEWER: frozenset(EVERYONE),
}

ALL_CAPABILITIES: frozenset[str] = frozenset().union(*CAPABILITIES.values())

# Who may hand out which role: a member grants, changes or removes only roles "within" their own.
# The CEO ranks highest and alone grants CEO. The five executives are peers: none is within another.
# The Admin ranks below the executives although it manages members: it runs the tooling and holds none
# of the steering, target-setting or cost capabilities, so it must not hand out (or take away) a role
# that carries them; it ranks above the Viewer, whose capabilities it holds.
ROLE_RANK: dict[str, int] = {
    Role.CEO: 100,
    Role.CFO: 50,
    Role.COO: 50,
    Role.CRO: 50,
    Role.CMO: 50,
    Role.CXO: 50,
    Role.ADMIN: 20,
    Role.VIEWER: 0,
}


def role_can(role: str, capability: str) -> bool:
    if capability not in ALL_CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}: add it to accounts/capabilities.py")
    return capability in CAPABILITIES[role]


def role_within(role: str, limit: str) -> bool:
    """`role` is `limit` itself, or ranks below it and carries no capability `limit` lacks."""
    if role == limit:
        return True
    return ROLE_RANK[role] < ROLE_RANK[limit] and CAPABILITIES[role] <= CAPABILITIES[limit]
