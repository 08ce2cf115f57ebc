"""Panels an app adds under the member's role dashboard (the org home page, dashboards.views.role_dashboard).

The figures (KPI tiles, receivables ageing, data freshness) are the dashboard's widgets; what stays a
panel is an app's to-do list for the member (the objectives' check-ins due and derived targets waiting).

A panel provider takes the membership and returns `(template_name, context)` or None.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from accounts.models import Membership

HOME_PANELS = [
    "objectives.panels.home_panel",
]


def home_panels_for(membership: Membership) -> list[tuple[str, dict]]:
    panels = []
    for path in HOME_PANELS:
        try:
            provider = import_string(path)
        except ImportError:
            continue
        panel = provider(membership)
        if panel is not None:
            panels.append(panel)
    return panels
