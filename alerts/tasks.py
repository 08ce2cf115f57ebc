"""Background work of alerts: evaluation after each recompute and sync, the hourly time-based pass, the daily
digest (beat entries in config/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Organization
from accounts.rls import each_org, tenant_task, visits_every_tenant
from alerts import notifications, services
from alerts.rules.registry import RULES, rule_class


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
@tenant_task(arg="org_id")
def alerts_evaluate_task(org_id: int, kinds: list[str] | None = None) -> None:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return  # deleted while the task was queued
    services.alerts_evaluate(org=org, kinds=set(kinds) if kinds else None)


@shared_task(acks_late=True)
@visits_every_tenant
def alerts_evaluate_time_based_task() -> int:
    """Hourly: the rules that time alone can trip (an invoice falls due, a sync stays broken, a check-in
    slips), in every company, one tenant at a time."""
    kinds = {k for k in RULES if rule_class(k).is_time_based}
    companies = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: the hourly run visits every tenant
    return len(each_org(lambda org: services.alerts_evaluate(org=org, kinds=kinds), companies))


@shared_task(acks_late=True)
@visits_every_tenant
def alert_digests_send_task() -> int:
    return notifications.alert_digests_send(today=timezone.localdate())
