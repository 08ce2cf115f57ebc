"""A real Celery worker process against Redis, for the few tests that prove the non-eager path."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection as db

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def redis_broker(url: str):
    """Send tasks to Redis instead of running them eagerly. Fails (never skips) when Redis is unreachable."""
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _drop_cached_connections()
    try:
        yield url
    finally:
        app.pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager = saved
        _drop_cached_connections()


def _drop_cached_connections() -> None:
    # The app caches its broker connections: drop them so the next send uses the broker set above.
    # kombu also keeps producer pools per broker URL: a closed one must not serve the next test on that URL.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def shared_database_url() -> str:
    """The test database's URL, so a worker process reads and writes what the test sees."""
    s = db.settings_dict
    assert db.vendor == "postgresql", "A worker process needs a database it can share: run on PostgreSQL"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


SOLO = ("--pool", "solo", "--concurrency", "1", "--without-heartbeat", "--without-mingle", "--without-gossip")


@contextmanager
def celery_worker(*, queue: str, redis_url: str, loglevel: str = "WARNING", options: tuple[str, ...] = SOLO,
                  **extra_env: str):
    """A worker on `queue` (solo unless `options` say otherwise); yields the process and, once stopped, leaves
    its output in `.output`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": shared_database_url(),
           "REDIS_URL": redis_url, **extra_env}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--loglevel", loglevel, *options],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.output = worker.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.output = worker.communicate()[0].decode()
