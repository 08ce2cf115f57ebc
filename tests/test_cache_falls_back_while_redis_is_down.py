"""The cache answers like no cache while Redis is down, and is the Redis cache again once it is back."""

import pytest

from config import cache as fallback
from tests.redis_server import cache_settings, own_redis_server


@pytest.fixture
def redis_cache(settings, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(fallback, "RETRY_SECONDS", 0.0)
    with own_redis_server() as server:
        settings.CACHES = cache_settings(server.url())
        yield server, cache


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(redis_cache):
    server, cache = redis_cache
    cache.set("k", "v")
    server.stop()

    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k"]) == {}
    assert cache.add("lock", "1") is True  # like no cache: whoever asks may go on
    assert cache.set_many({"a": 1}) == ["a"]
    cache.set("k", "w")
    cache.delete("k")


def test_the_cache_works_again_once_redis_is_back(redis_cache):
    server, cache = redis_cache
    server.stop()
    assert cache.get("k") is None

    server.start()
    cache.set("k", "v")

    assert cache.get("k") == "v"
