import os
import time

import pytest
import redis

from integrations.ratelimit import RedisRateLimiter

# The run's own Redis (REDIS_URL) when set: engineers sharing one Redis must not share a queue.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"


@pytest.fixture
def client():
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    connection.ping()  # fails, never skips, when Redis is not there
    for key in connection.scan_iter("pilotage:ratelimit:test-shared*"):
        connection.delete(key)
    return connection


@pytest.mark.services
def test_two_workers_sharing_a_connection_share_one_budget(client):
    key = f"test-shared-{time.time_ns()}"
    worker_a = RedisRateLimiter(client=client, key=key, limit=5, window=2)
    worker_b = RedisRateLimiter(client=client, key=key, limit=5, window=2)

    granted = [worker_a.try_acquire() == 0 for _ in range(3)] + [worker_b.try_acquire() == 0 for _ in range(3)]

    assert granted == [True, True, True, True, True, False]
    wait = worker_b.try_acquire()
    assert 0 < wait <= 2


@pytest.mark.services
def test_another_connection_has_its_own_budget(client):
    first = RedisRateLimiter(client=client, key=f"test-shared-a-{time.time_ns()}", limit=1, window=5)
    second = RedisRateLimiter(client=client, key=f"test-shared-b-{time.time_ns()}", limit=1, window=5)

    assert first.try_acquire() == 0
    assert first.try_acquire() > 0
    assert second.try_acquire() == 0


@pytest.mark.services
@pytest.mark.django_db
def test_a_sync_lock_held_by_a_dead_worker_lapses_within_its_ttl(client, acme, settings):
    from integrations.locks import connection_lock
    from tests.integrations.conftest import make_connection

    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    settings.INTEGRATIONS_SYNC_LOCK_TTL = 1
    connection = make_connection(acme)
    dead = connection_lock(connection)
    assert dead.__enter__()  # taken, then never released: the worker was killed

    with connection_lock(connection) as busy:
        assert not busy
    time.sleep(1.2)
    with connection_lock(connection) as lock:
        assert lock
