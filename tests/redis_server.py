"""A Redis server of the test's own, to stop and start again (never the shared one on 6379)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

PORTS = range(9300, 9400)  # this branch's port range on the shared machine
# Each pytest-xdist worker probes its own slice of the range, so two never pick the same free port at once.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


def _free_port() -> int:
    for port in PORTS[_WORKER * 10:] or PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 9300-9399")


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def cache_settings(url: str) -> dict:
    """CACHES for the project's Redis cache at `url`, as base settings build it from REDIS_URL."""
    return {"default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


@contextmanager
def own_redis_server():
    server = RedisServer(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_down(settings):
    """Redis was there (cache, rate budgets, locks and Celery's broker pointed at it) and has just died."""
    from django.core.cache import cache

    from config.settings import base
    from tests.workers import redis_broker

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS  # as in production: allauth counts in the cache

    with own_redis_server() as server:
        url = server.url()
        settings.CACHES = cache_settings(url)
        settings.INTEGRATIONS_REDIS_URL = url
        with redis_broker(url):
            cache.set("pilotage:test:warm", "1")  # the pool now holds a connection that is about to break
            server.stop()
            yield server
