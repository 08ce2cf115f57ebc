"""The session engine: Django's `cached_db` (the database is the record, the cache answers the reads), with the
cached copy kept at most SESSION_CACHE_SECONDS.

Every request of a signed-in user reads its session: from the cache that is one Redis GET instead of one SQL
query. Redis stays a helper: `config.cache.FallbackRedisCache` answers a miss while Redis is unreachable, and a
miss reads the database row (and every write goes to the database first). The one thing a helper may get wrong
is a deletion it could not make: a logout or an ended session whose cache entry could not be deleted because
Redis was unreachable at that moment would be served again from the cache once Redis came back. Capping the
cached copy's lifetime bounds that window to SESSION_CACHE_SECONDS, instead of the session's 12 hours.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore


class _CappedTimeouts:
    """The session cache with every entry's lifetime capped (the store reads and deletes through it as usual)."""

    def __init__(self, cache):
        self._cache = cache

    def set(self, key, value, timeout=None, **kwargs):
        cap = settings.SESSION_CACHE_SECONDS
        return self._cache.set(key, value, cap if timeout is None else min(timeout, cap), **kwargs)

    async def aset(self, key, value, timeout=None, **kwargs):
        cap = settings.SESSION_CACHE_SECONDS
        return await self._cache.aset(key, value, cap if timeout is None else min(timeout, cap), **kwargs)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(CachedDbStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedTimeouts(self._cache)
