"""The inbox's sources, one module each, imported on first use. Adding a source means one module and one
line here (at the merge: `"alerts": "alerts.inbox.OpenAlerts"` or a module of ours over alerts' selectors)."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from portfolio.inbox.base import InboxSource

SOURCES = {
    "check_ins": "portfolio.inbox.sources.objectives.CheckInsDue",
    "action_plans": "portfolio.inbox.sources.objectives.ActionPlansOverdue",
    "key_results": "portfolio.inbox.sources.objectives.KeyResultsGoingStale",
    "syncs": "portfolio.inbox.sources.data.SyncsFailing",
    "rejected": "portfolio.inbox.sources.data.RejectedRecords",
    "alerts": "portfolio.inbox.sources.alerts.LiveAlerts",
}


@cache
def source(key: str) -> InboxSource:
    return import_string(SOURCES[key])()


def sources() -> list[InboxSource]:
    return [source(key) for key in SOURCES]
