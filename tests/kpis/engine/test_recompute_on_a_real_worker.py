"""A real Celery worker on the `kpis` queue, Redis (db 3) as broker and cache: no eager mode."""

import os
import time
from datetime import date

import pytest
from django.core.cache import cache

from kpis.models import KpiPendingChange, KpiValue
from kpis.services import catalogue_install, kpi_values_recompute_enqueue
from tests.kpis.engine.records import ledger
from tests.workers import celery_worker, redis_broker

# The run's own Redis (REDIS_URL) when set: engineers sharing one Redis must not share a queue.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


@pytest.fixture
def broker(settings):
    with redis_broker(REDIS_URL) as url:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
        cache.clear()
        yield url
        cache.clear()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_syncs_is_recomputed_once_by_a_worker_on_the_kpis_queue(acme, broker, settings):
    settings.KPIS_RECOMPUTE_DEBOUNCE_SECONDS = 2
    catalogue_install(acme)
    march = date(2026, 3, 10)
    ledger(acme, "706000", march, credit=1000)
    kpi_values_recompute_enqueue(org=acme, changes={"ledgerline": {march}})
    ledger(acme, "706000", march, credit=234)
    kpi_values_recompute_enqueue(org=acme, changes={"ledgerline": {march}})
    with celery_worker(queue="kpis", redis_url=broker, loglevel="INFO") as worker:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and KpiPendingChange.objects.for_org(acme).exists():
            assert worker.poll() is None
            time.sleep(0.5)
    output = worker.output

    assert not KpiPendingChange.objects.for_org(acme).exists(), output[-3000:]
    revenue = KpiValue.objects.for_org(acme).get(
        kpi__slug="revenue", grain="month", period_start=date(2026, 3, 1)
    )
    assert revenue.value == 1234
    recomputes_done = [
        line for line in output.splitlines() if "kpis.tasks.kpi_values_recompute" in line and "succeeded" in line
    ]
    # One recompute for the burst; the alerts it triggers afterwards are other tasks.
    assert len(recomputes_done) == 1, output[-3000:]
