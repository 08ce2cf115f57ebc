"""Read the next page while the sync writes this one, so the provider's budget never idles (issue #13).

`prefetched(pages, ahead=n)` runs a connector's `fetch` generator on one worker thread, up to n pages ahead:
while the sync writes page N, page N+1 is being read (and N+2… when writing lags), through the same
shared rate budget (`ProviderClient`'s limiter), so the requests are the same and in the same order: only
their timing moves. One fetch is in flight at a time; the pages read ahead wait in memory. A page's failure
is raised when the sync asks for that page, after the page before it was written, exactly where it would
have surfaced without prefetching; nothing is written from the worker, so a crash mid-way leaves what the
last written page committed.

The worker never touches the database: Django connections are per thread and the sync's transactions
are not the worker's, so a query there raises `DatabaseOffLimits`. A connector that must write while it
reads (an OAuth refresh storing the new token pair) hands that call to the sync's own thread with
`on_sync_thread`. When the sync stops reading (a pause, a crash in a write), the worker's next request
raises `PrefetchAbandoned` and the worker ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import connections

logger = logging.getLogger("integrations.sync")

T = TypeVar("T")

# How long a stopped sync waits for its worker to notice (one request and one budget wait at most).
JOIN_SECONDS = 60

_local = threading.local()
_PAGE, _DONE, _FAILED, _CALL = "page", "done", "failed", "call"


class PrefetchAbandoned(BaseException):
    """The sync stopped reading: the worker's pending read ends here. A BaseException, like GeneratorExit,
    so that no `except Exception` in a connector can swallow it."""


class DatabaseOffLimits(RuntimeError):
    """A query from the prefetch thread (its connection is not the sync's, nor in its transaction)."""


def raise_if_abandoned() -> None:
    """Called before each request: a worker whose sync stopped reading sends nothing more."""
    channel = getattr(_local, "channel", None)
    if channel is not None and channel.stopped.is_set():
        raise PrefetchAbandoned


def on_sync_thread(fn: Callable[[], T]) -> T:
    """Run `fn` on the sync's thread (where the database may be used) and return what it returns; called
    from anywhere else than a prefetch worker, it simply runs `fn`."""
    channel = getattr(_local, "channel", None)
    if channel is None:
        return fn()
    return channel.call(fn)


def _refuse_queries(execute, sql, params, many, context):
    raise DatabaseOffLimits(f"no database access while prefetching a page: {sql[:120]}")


class _Prefetcher:
    def __init__(self, pages: Iterator[Any], ahead: int):
        self.pages = pages
        self.ahead = ahead
        self.context = contextvars.copy_context()  # e.g. waiting_for_redis, the active language
        self.messages: queue.Queue = queue.Queue()
        self.wanted = threading.Semaphore(0)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._produce, name="sync-prefetch", daemon=True)

    # --- the worker -------------------------------------------------------------------------

    def _produce(self) -> None:
        _local.channel = self
        try:
            with contextlib.ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(_refuse_queries))
                self._read_pages()
        finally:
            _local.channel = None
            connections.close_all()  # this thread's own, should a query have opened one

    def _read_pages(self) -> None:
        try:
            while True:
                self.wanted.acquire()  # the sync asked for one more page
                if self.stopped.is_set():
                    return
                try:
                    page = self.context.run(next, self.pages)
                except StopIteration:
                    self.messages.put((_DONE, None))
                    return
                except PrefetchAbandoned:
                    return
                except BaseException as exc:  # noqa: BLE001 (handed to the sync, raised there as it would have met it)
                    self.messages.put((_FAILED, exc))
                    return
                self.messages.put((_PAGE, page))
        finally:
            with contextlib.suppress(BaseException):
                self.context.run(self.pages.close)

    def call(self, fn: Callable[[], T]) -> T:
        answer: dict[str, Any] = {}
        done = threading.Event()
        self.messages.put((_CALL, (fn, answer, done)))
        while not done.wait(0.05):
            if self.stopped.is_set() and not done.is_set():
                raise PrefetchAbandoned
        if "error" in answer:
            raise answer["error"]
        return answer["value"]

    # --- the sync's side --------------------------------------------------------------------

    @staticmethod
    def _answer(request, *, abandoned: bool = False) -> None:
        fn, answer, done = request
        if abandoned:
            answer["error"] = PrefetchAbandoned()
        else:
            try:
                answer["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 (raised on the worker, which asked)
                answer["error"] = exc
        done.set()

    def __iter__(self) -> Iterator[Any]:
        self.thread.start()
        self.wanted.release(self.ahead)  # the first page, and as many more as may wait read ahead
        while True:
            kind, value = self.messages.get()
            if kind == _CALL:
                self._answer(value)
                continue
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise value
            self.wanted.release()  # one page taken: one more may be read while it is written
            yield value

    def stop(self) -> None:
        """Stop the worker and wait for it (its in-flight request, if any, ends first)."""
        self.stopped.set()
        self.wanted.release()
        deadline = time.monotonic() + JOIN_SECONDS
        while self.thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                kind, value = self.messages.get(timeout=0.05)
                if kind == _CALL:
                    self._answer(value, abandoned=True)
        if self.thread.is_alive():
            logger.warning("a prefetch worker did not stop within %s s; left to finish on its own", JOIN_SECONDS)


@contextlib.contextmanager
def prefetched(pages: Iterator[T], *, ahead: int = 1) -> Iterator[Iterator[T]]:
    """`with prefetched(connector.fetch(...), ahead=n) as pages: for page in pages: write(page)`, reading
    up to `ahead` pages beyond the one being written; `ahead=0` iterates `pages` as they are, on this thread."""
    if ahead <= 0:
        try:
            yield pages
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
        return
    prefetcher = _Prefetcher(pages, ahead)
    try:
        yield iter(prefetcher)
    finally:
        if prefetcher.thread.ident is not None:  # started by the first page asked for
            prefetcher.stop()
