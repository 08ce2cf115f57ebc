"""HubSpot's budgets: 429 storms end with back-off, Retry-After is honoured when present, and the
search endpoint's own limit (~4/s) is kept by a second shared bucket."""

import time

import pytest
import redis

from integrations.fakes.hubspot import Fault, Limits
from integrations.models import Deal, SyncRun
from integrations.services import connection_sync
from tests.integrations.hubspot.conftest import REDIS_URL


@pytest.fixture
def sleeps(monkeypatch):
    """Record the waits instead of sleeping (the HTTP client and rate limiter call time.sleep)."""
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    return waited


def test_a_storm_of_429s_without_retry_after_completes_with_back_off(acme, hubspot_connection, hubspot_fake, sleeps):
    hubspot_fake.storm = (0.4, 3)  # 40 % of requests answered 429, no Retry-After, HubSpot's JSON body

    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    refused = [r for r in hubspot_fake.log if r.status == 429]
    assert len(refused) >= 5
    assert len(sleeps) == len(refused)  # one back-off per 429
    assert all(0 <= s <= 0.05 for s in sleeps)  # full jitter under the (test) cap


def test_retry_after_is_honoured_when_hubspot_sends_it(hubspot_connection, hubspot_fake, sleeps):
    hubspot_fake.faults.append(Fault(status=429, retry_after=2, path="/crm/v3/objects/deals/search"))

    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 2.1


def test_502_and_503_are_retried(hubspot_connection, hubspot_fake, sleeps):
    hubspot_fake.faults += [Fault(status=502, path="/crm/v3/pipelines"), Fault(status=503, path="/crm/v3/owners")]

    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE
    assert len(sleeps) == 2


def test_searches_stay_under_the_search_limit_without_a_single_429(acme, hubspot_connection, hubspot_fake, settings):
    settings.HUBSPOT_SEARCH_RATE_LIMIT = (4, 1)  # our budget: 4 searches per second per account
    settings.HUBSPOT_SEARCH_PAGE_SIZE = 1  # 2 companies + 2 contacts + 3 deals → 7 searches
    hubspot_fake.limits = Limits(ten_secondly=None, search_per_second=5)  # HubSpot refuses a 6th in a second

    started = time.monotonic()
    run = connection_sync(connection=hubspot_connection)
    elapsed = time.monotonic() - started

    assert run.state == SyncRun.State.DONE, run.errors
    searches = [r for r in hubspot_fake.log if r.path.endswith("/search")]
    assert len(searches) == 7  # more than HubSpot allows in one second
    assert [r for r in hubspot_fake.log if r.status == 429] == []
    assert elapsed >= 1.0  # it waited for the search bucket, not for HubSpot to refuse
    assert redis.Redis.from_url(REDIS_URL).exists("pilotage:ratelimit:hubspot:7001:search")
