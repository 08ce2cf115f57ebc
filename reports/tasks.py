"""Thin Celery tasks on the `reports` queue (config/settings CELERY_TASK_ROUTES) over idempotent services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.rls import each_org, tenant_task, visits_every_tenant
from objectives.models import Review
from reports import services
from reports.models import ReportSchedule, SentReport


@shared_task(acks_late=True, queue="reports")
@visits_every_tenant
def reports_send_due_task() -> int:
    """Every 15 minutes (config/celery.py): queue the schedules whose moment has come and that still miss a
    recipient's report, and the failed reports whose next attempt has come. A second beat queues them again
    and the claims make that harmless."""
    now = timezone.now()

    def visit(org) -> int:
        due = services.reports_due(org=org, now=now)
        for schedule, period in due:
            services.enqueue(schedule_deliver_task, schedule.pk, period.key)
        retries = services.reports_retry_due(org=org, now=now)
        for report_id in retries:
            services.enqueue(report_retry_task, report_id)
        return len(due) + len(retries)

    return sum(each_org(visit))


@shared_task(acks_late=True, queue="reports")
@tenant_task(arg="schedule_id", model=ReportSchedule)
def schedule_deliver_task(schedule_id: int, period_key: str) -> int:
    schedule = ReportSchedule.objects.filter(pk=schedule_id, is_enabled=True).select_related(  # scoped: by id, the row carries its org
        "organization", "consultancy").first()
    if schedule is None:
        return 0  # deleted or disabled while queued
    return services.schedule_deliver(schedule=schedule, period=services.period_from_key(period_key))


@shared_task(acks_late=True, queue="reports")
@tenant_task(arg="sent_report_id", model=SentReport)
def report_deliver_task(sent_report_id: int) -> None:
    report = SentReport.objects.filter(pk=sent_report_id).select_related(  # scoped: by id, the row carries its org
        "organization", "recipient__user", "recipient__organization", "schedule").first()
    if report is None or report.status != SentReport.Status.CLAIMED:
        return  # gone, or already sent or failed: a redelivery is a no-op
    services.report_deliver(report=report)


@shared_task(acks_late=True, queue="reports")
@tenant_task(arg="sent_report_id", model=SentReport)
def report_retry_task(sent_report_id: int) -> None:
    report = SentReport.objects.filter(pk=sent_report_id).select_related("organization").first()  # scoped: by id, the row carries its org
    if report is not None:
        services.report_retry(org=report.organization, report_id=report.pk)


@shared_task(acks_late=True, queue="reports")
@tenant_task(arg="review_id", model=Review)
def review_pack_send_task(review_id: int) -> int:
    review = Review.objects.filter(pk=review_id).select_related("organization").first()  # scoped: by id, the row carries its org
    if review is None:
        return 0
    return services.review_pack_send(review=review)
