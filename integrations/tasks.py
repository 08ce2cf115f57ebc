"""Thin Celery tasks over idempotent services (STYLE.md §7).

acks_late: a task may run twice, and every service it calls is idempotent. A temporary failure
re-queues the run and the task retries with back-off (honouring the provider's Retry-After);
after INTEGRATIONS_SYNC_MAX_ATTEMPTS the run is dead and the connection needs attention.
"""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from accounts.rls import each_org, tenant_task, visits_every_tenant
from integrations import services
from integrations.models import SyncRun


@shared_task(bind=True, acks_late=True, max_retries=20, queue="sync")
@tenant_task(arg="sync_run_id", model=SyncRun)
def sync_run_execute_task(self, sync_run_id: int) -> None:
    run = SyncRun.objects.filter(pk=sync_run_id).select_related("connection").first()  # scoped: by id, the row carries its org
    if run is None or not run.is_live:
        return  # deleted or finished meanwhile: a redelivery is a no-op
    for _attempt in range(settings.INTEGRATIONS_SYNC_MAX_ATTEMPTS + 1):
        try:
            services.connection_sync(connection=run.connection, run=run)
            return
        except services.SyncRetry as exc:
            if not self.request.is_eager:
                # Exponential back-off with full jitter, unless the provider said when to come back.
                countdown = exc.countdown if exc.countdown is not None else random.uniform(
                    1, min(600, 5 * 2 ** (self.request.retries + 1)))
                raise self.retry(countdown=countdown, exc=exc) from None
            # In-process (no broker, development and tests): try again at once, up to the attempt limit.
            run.refresh_from_db()
            if not run.is_live:
                return


@shared_task(acks_late=True, queue="sync")
@visits_every_tenant
def connections_sync_due_task() -> int:
    """Every 5 minutes (config/celery.py): queue a sync for each connection whose interval has elapsed,
    and send again the runs whose worker went silent."""
    def visit(org) -> int:
        services.sync_runs_redispatch_stale(org=org)
        return len(services.connections_sync_due(org=org))

    return sum(each_org(visit))  # one tenant at a time: the row-level policies show that tenant only
