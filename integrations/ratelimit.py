"""One request budget per provider token, shared by every worker (INTEGRATIONS.md rule 1).

A sliding-window log kept in Redis (a sorted set per key, trimmed and checked atomically by a
Lua script using the Redis clock, so workers on different machines agree); when REDIS_URL is
unset the same algorithm runs in memory, which is right for a single process.
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from integrations.base import ConnectorError

REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisUnavailable(ConnectorError):
    """Redis keeps the shared request budgets and the sync locks. Without it a worker cannot know what the
    others spent, and a local budget per process would exceed the provider's limit silently: the work
    fails for now (temporary: a sync is retried) with a message saying why."""

    def __init__(self):
        super().__init__(_("Redis, which keeps the providers' shared request budget and the sync locks, does not "
                           "answer: try again in a few minutes."), permanent=False, retry_after=60)

_LUA = """
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if ARGV[3] == '' then
  return tostring(limit - redis.call('ZCARD', key))
end
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""

# The slot's request was answered: its slot counts from now (see RateLimiter.settle).
_SETTLE_LUA = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000, ARGV[1])
end
return 0
"""


# How long a limiter waits for Redis to come back before giving up. 0 in web requests (answer at once);
# a sync sets it (`waiting_for_redis`) so that a Redis restart mid-run costs a pause, not the run.
_redis_patience: contextvars.ContextVar[float] = contextvars.ContextVar("redis_patience", default=0.0)


@contextmanager
def waiting_for_redis(seconds: float) -> Iterator[None]:
    token = _redis_patience.set(seconds)
    try:
        yield
    finally:
        _redis_patience.reset(token)


class RateLimiter:
    """`acquire()` blocks until one more request fits in `limit` requests per `window` seconds."""

    def __init__(self, *, key: str, limit: int, window: float, sleep: Callable[[float], None] | None = None):
        self.key = f"pilotage:ratelimit:{key}"
        self.limit = limit
        self.window = window
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.waited = 0.0

    def try_acquire(self) -> float:
        """Take a slot and return 0, or return how many seconds to wait before trying again."""
        raise NotImplementedError

    def has_room(self) -> bool:
        """Whether a slot is free now (nothing taken). When the provider says its budget is spent and this
        budget is spent too, they count the same requests: `acquire()` waits exactly as long as needed."""
        return True

    def settle(self) -> None:
        """The request the last slot was taken for has been answered: count that slot from now.

        The provider counts a request when it arrives, somewhere between our grant and its answer, and not
        every request travels as fast: counted from the grant, a slow request of one window could meet a
        fast one of the next in the provider's count (a 429). Counted from the answer, the slot frees after
        the provider's has, whatever the network did, for the price of one round trip per slot and window."""

    def acquire(self) -> None:
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return
            self.waited += wait
            self.sleep(min(wait + 0.005, self.window))


class RedisRateLimiter(RateLimiter):
    def __init__(self, *, client, **kwargs):
        super().__init__(**kwargs)
        self.client = client
        self.script = client.register_script(_LUA)
        self.settle_script = client.register_script(_SETTLE_LUA)
        self.slot: str | None = None

    def try_acquire(self) -> float:
        member = uuid.uuid4().hex
        wait = float(self._run(self.script, [self.window, self.limit, member]))
        if wait <= 0:
            self.slot = member
        return wait

    def has_room(self) -> bool:
        return float(self._run(self.script, [self.window, self.limit, ""])) > 0  # an empty member: count only

    def settle(self) -> None:
        if self.slot is not None:
            slot, self.slot = self.slot, None
            self._run(self.settle_script, [slot])

    def _run(self, script, args: list):
        deadline = time.monotonic() + _redis_patience.get()
        while True:
            try:
                return script(keys=[self.key], args=args)
            except REDIS_UNREACHABLE:
                if time.monotonic() >= deadline:
                    raise RedisUnavailable() from None
                time.sleep(1.0)


_memory: dict[str, deque] = {}
_memory_lock = threading.Lock()


class MemoryRateLimiter(RateLimiter):
    slot: float | None = None

    def try_acquire(self) -> float:
        now = time.monotonic()
        with _memory_lock:
            log = _memory.setdefault(self.key, deque())
            while log and log[0] <= now - self.window:
                log.popleft()
            if len(log) < self.limit:
                log.append(now)
                self.slot = now
                return 0.0
            return log[0] + self.window - now

    def settle(self) -> None:
        if self.slot is None:
            return
        slot, self.slot = self.slot, None
        with _memory_lock:
            log = _memory.get(self.key)
            if log and slot in log:
                log.remove(slot)
                log.append(time.monotonic())  # the latest of all: the log stays in order

    def has_room(self) -> bool:
        now = time.monotonic()
        with _memory_lock:
            return sum(1 for t in _memory.get(self.key, ()) if t > now - self.window) < self.limit


_redis_clients: dict[str, object] = {}


def redis_client(url: str):
    import redis

    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return _redis_clients[url]


def rate_limiter(*, key: str, limit: int, window: float, sleep: Callable[[float], None] | None = None) -> RateLimiter:
    url = settings.INTEGRATIONS_REDIS_URL
    if url:
        return RedisRateLimiter(client=redis_client(url), key=key, limit=limit, window=window, sleep=sleep)
    return MemoryRateLimiter(key=key, limit=limit, window=window, sleep=sleep)


class AllOf(RateLimiter):
    """Several budgets at once (Xero: per tenant a minute and a day, and the app's minute across tenants):
    `acquire()` takes one slot of each, in order."""

    def __init__(self, *limiters: RateLimiter):
        self.limiters = limiters
        self.key = "+".join(limiter.key for limiter in limiters)
        self.waited = 0.0

    def acquire(self) -> None:
        for limiter in self.limiters:
            limiter.acquire()
        self.waited = sum(limiter.waited for limiter in self.limiters)

    def has_room(self) -> bool:
        return all(limiter.has_room() for limiter in self.limiters)

    def settle(self) -> None:
        for limiter in self.limiters:
            limiter.settle()


def rate_limiters(*budgets: tuple[str, int, float], sleep: Callable[[float], None] | None = None) -> RateLimiter:
    """One limiter over several (key, limit, window) budgets, each shared by every worker like `rate_limiter`."""
    return AllOf(*(rate_limiter(key=key, limit=limit, window=window, sleep=sleep) for key, limit, window in budgets))
