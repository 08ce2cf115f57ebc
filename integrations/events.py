"""The one announcement of this app: canonical records of these types changed on these days.

Records come in three ways (a provider sync, a spreadsheet import, an API push); whatever writes
them calls `records_changed_announce` inside its transaction, and the apps that react (the KPI
engine recomputes, alerts re-evaluate) subscribe to `records_changed` in their AppConfig.ready().
Dependencies keep pointing one way: integrations never imports the apps that listen.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.dispatch import Signal

from accounts.models import Organization

# Sent after commit with `org` and `changes` ({"invoice": {date, …}, "order": {…}}).
records_changed = Signal()


def records_changed_announce(*, org: Organization, changes: dict[str, set[date]]) -> None:
    """Announce the change once the surrounding transaction commits (at once outside one)."""
    frozen = {model: set(days) for model, days in changes.items() if days}
    if frozen:
        transaction.on_commit(lambda: records_changed.send(sender=Organization, org=org, changes=frozen))


# Sent after commit with `org` and `run` (a SyncRun that ended: done, failed or gave up), so that the
# apps watching sync health (alerts) re-evaluate even when a failing sync wrote no record.
sync_run_finished = Signal()


def sync_run_finished_announce(*, org: Organization, run) -> None:
    transaction.on_commit(lambda: sync_run_finished.send(sender=Organization, org=org, run=run))
