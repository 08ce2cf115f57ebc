"""The debounce key lives in Redis (db 3 for these tests) with a lifetime just over the countdown."""

import os
from datetime import date
from unittest import mock

import pytest
import redis
from django.core.cache import cache

from kpis.services import kpi_values_recompute_enqueue
from kpis.tasks import kpi_values_recompute_pending_task

# The run's own Redis (REDIS_URL) when set: engineers sharing one Redis must not share a queue.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


@pytest.fixture
def redis_cache(settings):
    # Fails (never skips) when Redis is unreachable.
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kpis-tests",
        }
    }
    cache.clear()
    yield redis.Redis.from_url(REDIS_URL)
    cache.clear()


@pytest.mark.services
def test_two_syncs_in_a_burst_share_one_redis_key_and_one_task(
    acme, redis_cache, settings, django_capture_on_commit_callbacks
):
    settings.KPIS_RECOMPUTE_DEBOUNCE_SECONDS = 30
    with mock.patch.object(kpi_values_recompute_pending_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            kpi_values_recompute_enqueue(org=acme, changes={"ledgerline": {date(2026, 3, 1)}})
            kpi_values_recompute_enqueue(org=acme, changes={"invoice": {date(2026, 3, 2)}})
    assert apply_async.call_count == 1
    keys = redis_cache.keys("kpis-tests:*kpis:recompute:scheduled:*")
    assert len(keys) == 1
    assert 30 < redis_cache.ttl(keys[0]) <= 35
