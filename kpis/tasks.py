"""Background work of the KPI engine, on the `kpis` queue (config/settings/base.py routes kpis.tasks.*)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organization
from accounts.rls import tenant_task, visits_every_tenant
from kpis import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
@tenant_task(arg="org_id")
def kpi_values_recompute_pending_task(org_id: int) -> None:
    """The debounced recompute of one organization's pending changes (see kpi_values_recompute_enqueue)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return  # the organization was deleted while the task was queued
    services.kpi_values_recompute_pending(org=org)


@shared_task(acks_late=True)
@tenant_task(arg="org_id")
def kpi_values_recompute_task(org_id: int) -> None:
    """A full recompute of one organization (repairs; the management command runs the same service)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    services.kpi_values_recompute(org=org)


@shared_task(acks_late=True)
@visits_every_tenant
def kpi_forecasts_refresh_due_task() -> int:
    """Daily (beat): one refresh task per organization; each refreshes its forecasts only when they were made
    on an earlier day (checked inside the tenant, so this task reads no tenant row)."""
    org_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))  # scoped: not tenant rows
    for org_id in org_ids:
        kpi_forecasts_refresh_task.delay(org_id)
    return len(org_ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
@tenant_task(arg="org_id")
def kpi_forecasts_refresh_task(org_id: int) -> int:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return services.kpi_forecasts_refresh(org=org, only_if_stale=True)
