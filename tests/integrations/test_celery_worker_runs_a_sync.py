"""A real Celery worker process, Redis as the broker, the fake Pennylane over HTTP: no eager mode."""

import os
import time

import pytest

from integrations.models import Invoice, SyncRun
from integrations.services import sync_run_enqueue
from tests.integrations.conftest import make_connection
from tests.workers import celery_worker, redis_broker

# The run's own Redis (REDIS_URL) when set: engineers sharing one Redis must not share a queue.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"


@pytest.fixture
def broker():
    with redis_broker(REDIS_URL) as url:
        yield url


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_picks_up_sync_now_and_stores_the_records(acme, book, fake_over_http, broker, settings):
    connection = make_connection(acme)
    with celery_worker(queue="sync", redis_url=broker, PENNYLANE_API_BASE_URL=settings.PENNYLANE_API_BASE_URL,
                       PENNYLANE_RATE_LIMIT_REQUESTS="10000", PENNYLANE_RATE_LIMIT_SECONDS="1") as worker:
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if not run.is_live:
                break
            assert worker.poll() is None, worker.stdout.read().decode()[-3000:]
            time.sleep(0.5)
    output = worker.output

    assert run.state == SyncRun.State.DONE, (run.state, run.errors, output[-3000:])
    assert run.attempt == 1
    assert Invoice.objects.for_org(acme).filter(kind="customer").count() == 30
    assert any("/customer_invoices" in r["path"] for r in fake_over_http.requests)
