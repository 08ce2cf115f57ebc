"""A real Celery worker on the `kpis` queue, Redis (db 3) as broker and cache: no eager mode."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.db import connection as db

from config.celery import app
from kpis.models import KpiPendingChange, KpiValue
from kpis.services import catalogue_install, kpi_values_recompute_enqueue
from tests.kpis.engine.records import ledger

REDIS_URL = "redis://127.0.0.1:6379/3"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def broker(settings):
    # Fails (never skips) when Redis is unreachable: this test exists to prove the real path works.
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = REDIS_URL, False
    app._pool, app.amqp._producer_pool = None, None
    yield REDIS_URL
    app.pool.force_close_all()
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._pool, app.amqp._producer_pool = None, None
    cache.clear()


def _database_url() -> str:
    s = db.settings_dict
    assert db.vendor == "postgresql", "A worker process needs a database it can share: run on PostgreSQL"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "kpis",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and KpiPendingChange.objects.for_org(acme).exists():
            assert worker.poll() is None
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode()

    assert not KpiPendingChange.objects.for_org(acme).exists(), output[-3000:]
    revenue = KpiValue.objects.for_org(acme).get(
        kpi__slug="revenue", grain="month", period_start=date(2026, 3, 1)
    )
    assert revenue.value == 1234
    assert output.count("kpi_values_recompute_pending_task") >= 1
    assert output.count("succeeded") == 1, output[-3000:]  # one task for the burst
