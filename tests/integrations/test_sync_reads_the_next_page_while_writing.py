"""A sync reads page N+1 while it writes page N (integrations/prefetch.py): the same requests in the same
order, the same records, never over the provider's budget, failures where they would have been, and no
database access from the reading thread."""

import json
import threading

import httpx
import pytest
from django.test import override_settings

from integrations import services
from integrations.http import ProviderClient, mount_transport
from integrations.models import Connection, Invoice, LedgerLine, Payment, SyncRun
from integrations.prefetch import DatabaseOffLimits, on_sync_thread, prefetched
from integrations.ratelimit import MemoryRateLimiter
from integrations.services import connection_pause, connection_sync
from tests.integrations.conftest import FAKE_BASE, make_connection

pytestmark = pytest.mark.django_db


def _rows(org):
    """What a sync stored, without the ids and times that differ between two organizations."""
    return {
        "invoices": sorted((i.external_id, i.kind, i.amount_incl_tax, i.status, i.paid_date, i.is_void)
                           for i in Invoice.objects.for_org(org)),
        "lines": sorted((line.external_id, line.account_number, line.date, line.debit, line.credit)
                        for line in LedgerLine.objects.for_org(org)),
        "payments": sorted((p.external_id, p.kind, p.date, p.amount) for p in Payment.objects.for_org(org)),
    }


def _requests(fake, start):
    return [(r["method"], r["path"], r["params"]) for r in fake.requests[start:]]


def _prefetch_workers():
    return [t for t in threading.enumerate() if t.name == "sync-prefetch"]


@override_settings(PENNYLANE_PAGE_LIMIT=5)
def test_reading_ahead_makes_the_same_requests_and_the_same_records(acme, globex, fake, settings):
    settings.INTEGRATIONS_SYNC_PREFETCH = False
    start = len(fake.requests)
    one_by_one = connection_sync(connection=make_connection(acme))
    sequential = _requests(fake, start)

    settings.INTEGRATIONS_SYNC_PREFETCH = True
    start = len(fake.requests)
    ahead = connection_sync(connection=make_connection(globex))

    assert one_by_one.state == ahead.state == SyncRun.State.DONE
    assert _requests(fake, start) == sequential
    assert len(sequential) > 20  # many pages: the comparison means something
    assert _rows(globex) == _rows(acme)
    assert ahead.counts == one_by_one.counts and ahead.pages == one_by_one.pages
    assert _prefetch_workers() == []


@override_settings(PENNYLANE_PAGE_LIMIT=5)
def test_under_a_tight_budget_the_provider_never_answers_429(acme, fake, settings, monkeypatch):
    # The fake enforces Pennylane's sliding window; the client's shared budget is the same one.
    fake.rate_limit = (12, 1.0)
    settings.PENNYLANE_RATE_LIMIT = (12, 1.0)
    write = services._PageWriter.write

    def slow_write(self, page):  # writes slow enough that the reader runs ahead of them
        write(self, page)
        threading.Event().wait(0.02)

    monkeypatch.setattr(services._PageWriter, "write", slow_write)

    run = connection_sync(connection=make_connection(acme))

    assert run.state == SyncRun.State.DONE
    assert len(fake.requests) > 30  # about three seconds of budget
    assert fake.over_budget == 0


def _refusing_the_nth_request(fake, n):
    """The fake, except that its n-th answer is a 401 (the token revoked mid-sync)."""
    seen = {"requests": 0}

    def app(environ, start_response):
        seen["requests"] += 1
        if seen["requests"] == n:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [json.dumps({"error": "Access token is missing or invalid", "status": 401}).encode()]
        return fake(environ, start_response)

    mount_transport(FAKE_BASE, httpx.WSGITransport(app=app))


@override_settings(PENNYLANE_PAGE_LIMIT=5)
def test_a_page_that_fails_while_read_ahead_fails_the_run_where_it_would_have(acme, globex, fake, settings):
    outcomes = []
    for org, ahead in ((acme, False), (globex, True)):
        settings.INTEGRATIONS_SYNC_PREFETCH = ahead
        _refusing_the_nth_request(fake, 9)
        connection = make_connection(org)

        run = connection_sync(connection=connection)

        connection.refresh_from_db()
        cursors = {name: {k: v for k, v in cursor.items() if k not in ("at", "since", "start_date")}
                   for name, cursor in connection.cursors.items()}  # the sync's start time differs
        outcomes.append((run.state, run.errors, run.pages, run.counts, connection.status, cursors, _rows(org)))
    assert outcomes[0][0] == SyncRun.State.FAILED
    assert outcomes[0][2] > 2  # pages before the refused one were written and kept
    assert outcomes[1] == outcomes[0]
    assert _prefetch_workers() == []


@override_settings(PENNYLANE_PAGE_LIMIT=5, INTEGRATIONS_SYNC_PAGES_AHEAD=1)
def test_a_pause_mid_sync_stops_the_reader_after_at_most_the_page_in_flight(acme, fake, settings, monkeypatch):
    connection = make_connection(acme)
    write = services._PageWriter.write
    seen = {"pages": 0, "requests_at_pause": 0}

    def write_then_pause(self, page):
        write(self, page)
        seen["pages"] += 1
        if seen["pages"] == 2:
            seen["requests_at_pause"] = len(fake.requests)
            connection_pause(connection=Connection.objects.get(pk=connection.pk), by=None)

    monkeypatch.setattr(services._PageWriter, "write", write_then_pause)

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.CANCELLED
    assert seen["pages"] == 2
    assert _prefetch_workers() == []
    # The reader was at most one page ahead: a handful of requests more, not the rest of the sync.
    assert len(fake.requests) - seen["requests_at_pause"] <= 3


def test_the_reading_thread_may_not_query_the_database(acme):
    def pages():
        yield "first"
        yield Connection.objects.for_org(acme).count()

    with pytest.raises(DatabaseOffLimits), prefetched(pages()) as read:
        assert next(iter(read)) == "first"
        list(read)


def test_what_must_touch_the_database_runs_on_the_syncs_thread(acme):
    sync_thread = threading.current_thread()

    def pages():
        yield on_sync_thread(lambda: (threading.current_thread() is sync_thread,
                                      Connection.objects.for_org(acme).count()))

    with prefetched(pages()) as read:
        assert list(read) == [(True, 0)]


def _budget_spent_client(limiter):
    """A client whose provider says, after each answer, that the token's budget is spent until its reset."""
    def spent(request):
        return httpx.Response(200, json={}, headers={"ratelimit-remaining": "0", "ratelimit-reset": "1800000004"})

    return ProviderClient(base_url="http://provider.test/api", token="t", limiter=limiter,
                          transport=httpx.MockTransport(spent), sleep=lambda s: None, clock=lambda: 1_800_000_000.0)


@pytest.mark.parametrize("limit, sleeps", [(1, False), (5, True)])
def test_a_spent_provider_budget_is_slept_on_only_when_others_spent_it(limit, sleeps):
    # Ours spent too (limit 1, one request): both count the same requests and the limiter waits just enough;
    # sleeping until the provider's reset, in whole seconds, would leave part of every window unused.
    # Ours with room left (limit 5): another app spends the token: wait for the provider's reset.
    client = _budget_spent_client(MemoryRateLimiter(key=f"spent-{limit}-{id(object())}", limit=limit, window=60))

    client.get("/a")

    assert bool(client.slept) is sleeps
