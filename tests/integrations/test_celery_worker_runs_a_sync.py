"""A real Celery worker process, Redis as the broker, the fake Pennylane over HTTP: no eager mode."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection as db

from config.celery import app
from integrations.models import Invoice, SyncRun
from integrations.services import sync_run_enqueue
from tests.integrations.conftest import make_connection

REDIS_URL = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    # Fails (never skips) when Redis is unreachable: this test exists to prove the real path works.
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = REDIS_URL, False
    _fresh_pools()
    yield REDIS_URL
    app.pool.force_close_all()
    app.conf.broker_url, app.conf.task_always_eager = saved
    _fresh_pools()


def _fresh_pools():
    # The app caches its broker connections: drop them so the next send uses the broker set above.
    app._pool = None
    app.amqp._producer_pool = None


def _database_url() -> str:
    s = db.settings_dict
    assert db.vendor == "postgresql", "A worker process needs a database it can share: run on PostgreSQL"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_picks_up_sync_now_and_stores_the_records(acme, book, fake_over_http, broker, settings):
    connection = make_connection(acme)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url(),
           "REDIS_URL": broker, "PENNYLANE_API_BASE_URL": settings.PENNYLANE_API_BASE_URL,
           "PENNYLANE_RATE_LIMIT_REQUESTS": "10000", "PENNYLANE_RATE_LIMIT_SECONDS": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "sync", "--pool", "solo",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle",
         "--without-gossip"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if not run.is_live:
                break
            assert worker.poll() is None, worker.stdout.read().decode()[-3000:]
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode()

    assert run.state == SyncRun.State.DONE, (run.state, run.errors, output[-3000:])
    assert run.attempt == 1
    assert Invoice.objects.for_org(acme).filter(kind="customer").count() == 30
    assert any("/customer_invoices" in r["path"] for r in fake_over_http.requests)
