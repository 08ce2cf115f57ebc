"""Redis dies while a real worker syncs, and comes back: the worker reconnects and the run completes."""

import time

import pytest

from integrations.models import LedgerLine, SyncRun
from integrations.services import sync_run_enqueue
from tests.integrations.conftest import make_connection
from tests.redis_server import own_redis_server
from tests.workers import celery_worker, redis_broker

PROCFILE_OPTIONS = ("--concurrency", "2")  # the prefork pool, with gossip, mingle and heartbeat, as `make serve`


def _wait(condition, *, worker, seconds: float) -> bool:
    """Whether `condition` came true while the worker ran, within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_reconnects_and_the_run_completes_after_redis_restarts(acme, book, fake_over_http, settings):
    connection = make_connection(acme)
    fake_over_http.faults.delay = 0.05
    with own_redis_server() as redis_server, redis_broker(redis_server.url()) as broker, celery_worker(
            queue="sync", redis_url=broker, loglevel="INFO", options=PROCFILE_OPTIONS,
            PENNYLANE_API_BASE_URL=settings.PENNYLANE_API_BASE_URL,
            PENNYLANE_PAGE_LIMIT="10", PENNYLANE_RATE_LIMIT_REQUESTS="10000", PENNYLANE_RATE_LIMIT_SECONDS="1",
            INTEGRATIONS_STALE_RUN_SECONDS="5") as worker:
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
        assert _wait(lambda: SyncRun.objects.get(pk=run.pk).pages >= 2, worker=worker, seconds=60)

        redis_server.stop()
        time.sleep(3)
        redis_server.start()

        _wait(lambda: SyncRun.objects.get(pk=run.pk).state == SyncRun.State.DONE, worker=worker, seconds=60)
        time.sleep(3)  # the task's late ack comes after its last write
        alive = worker.poll() is None
    run.refresh_from_db()

    assert alive, worker.output[-4000:]
    assert run.state == SyncRun.State.DONE, (run.state, run.errors, worker.output[-4000:])
    assert LedgerLine.objects.for_org(acme).count() == len(book.objects["ledger_entry_lines"])
