"""Background work of the cascade: the daily check-in reminders (beat entry in config/celery.py)."""

from celery import shared_task
from django.utils import timezone

from accounts.rls import visits_every_tenant
from objectives.services.reminders import check_in_reminders_send


@shared_task(acks_late=True)
@visits_every_tenant
def check_in_reminders_send_task() -> int:
    return check_in_reminders_send(today=timezone.localdate())
