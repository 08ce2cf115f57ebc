"""One sync per connection at a time, across every worker.

A sync spans many transactions (one per page), so the lock is held for the whole run: a Redis
lock with a TTL below the broker's visibility timeout when Redis is configured; otherwise a
session-level PostgreSQL advisory lock (released by the server if the worker dies); on SQLite
(one process in development) a process-local lock.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection as db

from integrations.ratelimit import REDIS_UNREACHABLE, RedisUnavailable, redis_client

_local_locks: dict[int, threading.Lock] = {}
_local_guard = threading.Lock()
_ADVISORY_NAMESPACE = zlib.crc32(b"pilotage.connection_sync") & 0x7FFFFFFF


def _advisory_key(connection_id: int) -> int:
    return (_ADVISORY_NAMESPACE << 31) | (connection_id & 0x7FFFFFFF)


class SyncLock:
    """Truthy when held. `refresh()` pushes a Redis lock's expiry back: the sync calls it after every
    page, so a killed worker's lock lapses within one TTL instead of blocking the connection."""

    def __init__(self, acquired: bool, redis_lock=None, unavailable: str = ""):
        self.acquired = acquired
        self._redis_lock = redis_lock
        self.unavailable = unavailable  # why the lock could not even be asked for (Redis down)

    def __bool__(self) -> bool:
        return self.acquired

    def refresh(self) -> None:
        if self._redis_lock is not None and self.acquired:
            try:
                self._redis_lock.reacquire()
            except Exception:  # lost to expiry: keep going, the claim and the upserts stay idempotent
                pass


@contextmanager
def connection_lock(connection) -> Iterator[SyncLock]:
    """Yields a truthy SyncLock when this process now holds the connection's sync lock, falsy if someone else does."""
    connection_id = connection.pk
    url = settings.INTEGRATIONS_REDIS_URL
    if url:
        # The creation time makes the key unique even where ids are reused (a restored or test database).
        stamp = int(connection.created_at.timestamp() * 1000) if connection.created_at else 0
        lock = redis_client(url).lock(f"pilotage:sync-lock:{connection_id}:{stamp}",
                                      timeout=settings.INTEGRATIONS_SYNC_LOCK_TTL)
        try:
            acquired = lock.acquire(blocking=False)
        except REDIS_UNREACHABLE:
            yield SyncLock(False, unavailable=str(RedisUnavailable()))
            return
        try:
            yield SyncLock(acquired, lock)
        finally:
            if acquired:
                try:
                    lock.release()
                except Exception:  # expired meanwhile: someone may hold it now, leave theirs alone
                    pass
        return
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key(connection_id)])
            acquired = cursor.fetchone()[0]
        try:
            yield SyncLock(acquired)
        finally:
            if acquired:
                with db.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(connection_id)])
        return
    with _local_guard:
        lock = _local_locks.setdefault(connection_id, threading.Lock())
    acquired = lock.acquire(blocking=False)
    try:
        yield SyncLock(acquired)
    finally:
        if acquired:
            lock.release()
