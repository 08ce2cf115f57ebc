"""A spent daily budget (429 with policyName DAILY) will not clear in seconds: the sync stops at once
and is retried an hour later, instead of backing off and hammering HubSpot."""

import pytest

from integrations.fakes.hubspot import Limits
from integrations.models import SyncRun
from integrations.services import SyncRetry, connection_sync


def test_a_daily_429_stops_the_sync_for_an_hour_without_retrying(acme, hubspot_connection, hubspot_fake):
    hubspot_fake.limits = Limits(ten_secondly=None, daily=4)  # the fifth request of the day is refused

    with pytest.raises(SyncRetry) as retry:
        connection_sync(connection=hubspot_connection)

    assert retry.value.countdown == 3600
    assert [r.status for r in hubspot_fake.log] == [200, 200, 200, 200, 429]
    run = SyncRun.objects.for_org(acme).get()
    assert run.state == SyncRun.State.QUEUED
    assert "daily API limit" in run.errors[-1]


def test_normal_answers_carry_hubspots_budget_headers(hubspot_fake):
    status, headers, _ = hubspot_fake.handle("GET", "/crm/v3/pipelines/deals", {},
                                             {"authorization": "Bearer pat-eu1-acme-private-app"}, b"")
    assert status == 200
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert int(headers["X-HubSpot-RateLimit-Daily-Remaining"]) > 0
