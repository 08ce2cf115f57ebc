"""A burst of syncs gives one recompute task per organization, on the kpis queue, and loses no change."""

from datetime import date
from unittest import mock

import pytest
from django.core.cache import cache

from config.celery import app
from kpis.models import KpiPendingChange
from kpis.services import kpi_values_recompute_enqueue, kpi_values_recompute_pending
from kpis.tasks import kpi_values_recompute_pending_task
from tests.kpis.engine.records import ledger


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_burst_of_syncs_schedules_one_task(catalogue, globex, django_capture_on_commit_callbacks, settings):
    settings.KPIS_RECOMPUTE_DEBOUNCE_SECONDS = 30
    with mock.patch.object(kpi_values_recompute_pending_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            kpi_values_recompute_enqueue(org=catalogue, changes={"ledgerline": {date(2026, 3, 1)}})
            kpi_values_recompute_enqueue(
                org=catalogue, changes={"ledgerline": {date(2026, 3, 1), date(2026, 4, 2)}}
            )
            kpi_values_recompute_enqueue(org=catalogue, changes={"invoice": {date(2026, 4, 2)}})
            kpi_values_recompute_enqueue(org=globex, changes={"invoice": {date(2026, 4, 2)}})
    assert apply_async.call_args_list == [
        mock.call(args=[catalogue.pk], countdown=30),
        mock.call(args=[globex.pk], countdown=30),
    ]
    assert sorted(KpiPendingChange.objects.for_org(catalogue).values_list("record_type", "day")) == [
        ("invoice", date(2026, 4, 2)),
        ("ledgerline", date(2026, 3, 1)),
        ("ledgerline", date(2026, 4, 2)),
    ]


def test_the_task_goes_to_the_kpis_queue():
    assert app.amqp.router.route({}, kpi_values_recompute_pending_task.name)["queue"].name == "kpis"


def test_the_pending_run_processes_every_change_once(catalogue, django_capture_on_commit_callbacks):
    ledger(catalogue, "706000", date(2026, 3, 10), credit=100)
    with mock.patch.object(kpi_values_recompute_pending_task, "apply_async"):
        with django_capture_on_commit_callbacks(execute=True):
            kpi_values_recompute_enqueue(org=catalogue, changes={"ledgerline": {date(2026, 3, 10)}})
    report = kpi_values_recompute_pending(org=catalogue, today=date(2026, 6, 15))
    assert ("revenue", "month", date(2026, 3, 1)) in report.touched
    assert not KpiPendingChange.objects.for_org(catalogue).exists()
    assert kpi_values_recompute_pending(org=catalogue) is None  # a second run has nothing to do


def test_a_change_after_the_task_started_schedules_a_new_task(catalogue, django_capture_on_commit_callbacks):
    with mock.patch.object(kpi_values_recompute_pending_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            kpi_values_recompute_enqueue(org=catalogue, changes={"ledgerline": {date(2026, 3, 10)}})
        kpi_values_recompute_pending(org=catalogue, today=date(2026, 6, 15))
        with django_capture_on_commit_callbacks(execute=True):
            kpi_values_recompute_enqueue(org=catalogue, changes={"ledgerline": {date(2026, 3, 11)}})
    assert apply_async.call_count == 2
