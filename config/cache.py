"""Django's Redis cache, answering like no cache at all while Redis is unreachable.

Everything Pilotage keeps in the cache can be recomputed or is a convenience (forecasts, the KPI
recompute debounce, allauth's rate-limit counters), so a page must never fail because Redis is
down: each call that cannot reach Redis logs a warning and returns what Django's DummyCache
would (a miss, `add` succeeds, writes are dropped). After a failure Redis is left alone for
CACHE_REDIS_RETRY_SECONDS, so a dead or unreachable server costs one timeout, not one per call.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("config.cache")

RETRY_SECONDS = 5.0

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _or(fallback):
    """Run the Redis call; while Redis is unreachable, answer `fallback(*args, **kwargs)` instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() >= self._down_until:
                try:
                    return method(self, *args, **kwargs)
                except _UNREACHABLE as exc:
                    self._down_until = time.monotonic() + RETRY_SECONDS
                    logger.warning("cache: Redis is unreachable (%s); serving without a cache for %ss",
                                   exc, RETRY_SECONDS)
            return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _not_found(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unavailable).")


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    add = _or(lambda *a, **k: True)(RedisCache.add)
    get = _or(lambda key, default=None, version=None: default)(RedisCache.get)
    set = _or(lambda *a, **k: None)(RedisCache.set)
    touch = _or(lambda *a, **k: False)(RedisCache.touch)
    delete = _or(lambda *a, **k: False)(RedisCache.delete)
    get_many = _or(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _or(lambda *a, **k: False)(RedisCache.has_key)
    incr = _or(_not_found)(RedisCache.incr)
    set_many = _or(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _or(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _or(lambda *a, **k: False)(RedisCache.clear)
