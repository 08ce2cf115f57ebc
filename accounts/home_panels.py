"""The org home page is a stack of panels, one per app, so each app owns its own part of it.

A panel provider takes the membership and returns `(template_name, context)` or None.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from accounts.models import Membership

HOME_PANELS = [
    "objectives.panels.home_panel",
    "kpis.panels.home_panel",
    "integrations.panels.home_panel",
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
