"""Thin Celery tasks over idempotent services (STYLE.md §7).

acks_late: a task may run twice, and every service it calls is idempotent. A temporary failure
re-queues the run and the task retries with back-off (honouring the provider's Retry-After);
after INTEGRATIONS_SYNC_MAX_ATTEMPTS the run is dead and the connection needs attention.
"""

from __future__ import annotations

from celery import shared_task

from integrations import services
from integrations.models import SyncRun


@shared_task(bind=True, acks_late=True, max_retries=20, queue="sync")
def sync_run_execute_task(self, sync_run_id: int) -> None:
    run = SyncRun.objects.filter(pk=sync_run_id).select_related("connection").first()  # scoped: by id, the row carries its org
    if run is None or not run.is_live:
        return  # deleted or finished meanwhile: a redelivery is a no-op
    try:
        services.connection_sync(connection=run.connection, run=run)
    except services.SyncRetry as exc:
        # Full-jitter exponential back-off unless the provider said when to come back.
        countdown = exc.countdown if exc.countdown is not None else min(600, 5 * 2 ** self.request.retries)
        raise self.retry(countdown=countdown, exc=exc) from None


@shared_task(acks_late=True, queue="sync")
def connections_sync_due_task() -> int:
    """Every 5 minutes (config/celery.py): queue a sync for each connection whose interval has elapsed."""
    return len(services.connections_sync_due())
