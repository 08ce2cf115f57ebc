"""The Celery app. Queues: `sync` (connectors), `kpis` (recomputes), `reports` (PDF and e-mail)."""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("pilotage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("default"), Queue("sync"), Queue("kpis"), Queue("reports")]
app.autodiscover_tasks()

# Periodic tasks. Each scheduled task also skips work already done within its interval,
# so a second beat started by mistake does no harm.
app.conf.beat_schedule = {
    # Every 5 minutes: enqueue a sync for each active connection whose interval has elapsed.
    "integrations-sync-due-connections": {
        "task": "integrations.tasks.connections_sync_due_task",
        "schedule": 300.0,
    },
    # Every day at 08:00 (Europe/Paris): e-mail owners whose objective check-in is due (once a day at most).
    "objectives-check-in-reminders": {
        "task": "objectives.tasks.check_in_reminders_send_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every 15 minutes: send the role digests whose day and hour (in their own time zone) have come, once
    # per period and recipient (reports/services.py claims each).
    "reports-send-due": {
        "task": "reports.tasks.reports_send_due_task",
        "schedule": 900.0,
    },
    # Every day at 00:10: forecasts made on an earlier day are refreshed (the elapsed share has moved).
    "kpis-forecasts-refresh": {
        "task": "kpis.tasks.kpi_forecasts_refresh_due_task",
        "schedule": crontab(hour=0, minute=10),
    },
    # Every hour at :20: the alert rules time alone can trip (invoices falling due, syncs staying broken).
    "alerts-evaluate-time-based": {
        "task": "alerts.tasks.alerts_evaluate_time_based_task",
        "schedule": crontab(minute=20),
    },
    # Every day at 07:30: the alert digest of members who chose it (claimed per member and day).
    "alerts-daily-digest": {
        "task": "alerts.tasks.alert_digests_send_task",
        "schedule": crontab(hour=7, minute=30),
    },
}
