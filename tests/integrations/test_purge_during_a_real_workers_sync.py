"""A real Celery worker is syncing when the admin disconnects and purges: nothing comes back."""

import time

import pytest
from django.conf import settings as project_settings

from integrations.models import Connection, Customer, Invoice, LedgerLine, SyncRun
from integrations.services import connection_disconnect, sync_run_enqueue
from tests.integrations.conftest import make_connection
from tests.workers import celery_worker, redis_broker


def _records(org) -> int:
    return sum(model.objects.for_org(org).count() for model in (Customer, Invoice, LedgerLine))


def _wait(condition, *, worker, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, "the worker exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_purge_while_a_worker_syncs_leaves_zero_records_and_no_cursor(acme, book, fake_over_http, settings):
    connection = make_connection(acme)
    fake_over_http.faults.delay = 0.05  # a slow provider: the sync is mid-way when the admin clicks
    with redis_broker(project_settings.REDIS_URL) as broker, celery_worker(
            queue="sync", redis_url=broker, PENNYLANE_API_BASE_URL=settings.PENNYLANE_API_BASE_URL,
            PENNYLANE_PAGE_LIMIT="10", PENNYLANE_RATE_LIMIT_REQUESTS="10000",
            PENNYLANE_RATE_LIMIT_SECONDS="1") as worker:
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
        _wait(lambda: SyncRun.objects.get(pk=run.pk).pages >= 3 and _records(acme) > 0, worker=worker)

        connection_disconnect(connection=Connection.objects.get(pk=connection.pk), purge=True, by=None)

        _wait(lambda: not SyncRun.objects.get(pk=run.pk).is_live, worker=worker)
        time.sleep(1.0)  # anything the worker still had in flight would land now
        pages_at_the_end = SyncRun.objects.get(pk=run.pk).pages
    run.refresh_from_db()
    connection.refresh_from_db()

    assert _records(acme) == 0, worker.output[-3000:]
    assert connection.cursors == {}
    assert connection.status == Connection.Status.DISCONNECTED
    assert run.state == SyncRun.State.CANCELLED
    assert run.pages == pages_at_the_end
    assert LedgerLine.objects.count() == 0
