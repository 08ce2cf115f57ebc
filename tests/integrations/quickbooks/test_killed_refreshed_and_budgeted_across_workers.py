"""What several workers share with QuickBooks: a sync killed mid-way and run again loses and duplicates
nothing; two workers refreshing the rolling refresh token at once spend it once; every call counts in the
realm's one budget in Redis."""

import os

import httpx
import pytest

from integrations.fakes.hubspot import SimulatedCrash
from integrations.fakes.quickbooks_scenario import REALM_ID
from integrations.http import mount_transport
from integrations.models import Connection, Customer, Invoice, LedgerLine, Payment, SyncRun
from integrations.ratelimit import redis_client
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.oauth_workers import refresh_in_two_workers
from tests.integrations.quickbooks.conftest import BASE, qbo_connection

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"


def _rows(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (Customer, Invoice, Payment, LedgerLine)}


def _dying_after(calls: int, transport: httpx.BaseTransport) -> httpx.BaseTransport:
    """The fake's transport, until the worker is killed on the `calls`-th request."""
    sent = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        sent["n"] += 1
        if sent["n"] == calls:
            raise SimulatedCrash
        return transport.handle_request(request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("calls", [3, 7, 12])
def test_a_sync_killed_after_some_calls_then_rerun_equals_a_clean_sync(acme, qbo_fake, settings, calls):
    settings.QUICKBOOKS_PAGE_SIZE = 2  # more pages, more places to die
    connection = qbo_connection(acme)
    mount_transport(BASE, _dying_after(calls, qbo_fake.transport()))
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    assert interrupted.state == SyncRun.State.RUNNING  # the worker died holding it

    mount_transport(BASE, qbo_fake.transport())
    rerun = connection_sync(connection=connection, run=interrupted)

    clean_org = make_org()
    connection_sync(connection=qbo_connection(clean_org))
    assert rerun.state == SyncRun.State.DONE, rerun.errors
    assert _rows(acme) == _rows(clean_org)
    assert _rows(acme)["Invoice"]


def test_two_workers_refreshing_at_once_spend_the_rolling_refresh_token_once(acme, qbo_fake, transactional_db):
    from integrations.providers.quickbooks import QuickBooksOAuth

    connection = qbo_connection(acme, expires_in=0)
    results = refresh_in_two_workers(app=QuickBooksOAuth(), connection=connection)

    assert results["a"] == results["b"]  # the second used the pair the first stored
    assert [r.status for r in qbo_fake.requests_to("/tokens/bearer")] == [200]
    stored = Connection.objects.for_org(acme).get(pk=connection.pk).credentials
    assert stored["refresh_token"] in qbo_fake.refresh_tokens


def test_every_call_of_a_sync_counts_in_the_realms_budget_in_redis(acme, qbo, qbo_fake, settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    key = f"pilotage:ratelimit:quickbooks:{REALM_ID}"
    redis = redis_client(REDIS_URL)
    redis.delete(key)
    try:
        connection_sync(connection=qbo)

        api_calls = len(qbo_fake.requests_to("/v3/company/"))
        assert api_calls > 5
        assert redis.zcard(key) == api_calls  # a second worker reads the same window
    finally:
        redis.delete(key)
