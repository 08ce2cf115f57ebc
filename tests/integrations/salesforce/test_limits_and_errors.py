"""The org's daily API allocation (Sforce-Limit-Info) is shared with its other integrations: a sync
spends its configured share of what is left, then stops until later. REQUEST_LIMIT_EXCEEDED and 5xx
are temporary; a refused permission needs the admin; the request budget is one per org, in Redis."""

import pytest

from integrations.fakes.salesforce import Fault
from integrations.models import Connection, Deal, SyncRun
from integrations.providers.salesforce import SalesforceConnector
from integrations.services import SyncRetry, connection_sync
from tests.factories import make_org
from tests.integrations.salesforce.conftest import connection_to


def test_a_sync_stops_once_it_spent_its_share_of_the_calls_left_today(acme, salesforce_connection, salesforce_fake,
                                                                      settings):
    salesforce_fake.daily_limit, salesforce_fake.api_used = 1000, 990  # 10 calls left today
    settings.SALESFORCE_API_SHARE = 0.5

    with pytest.raises(SyncRetry) as retry:
        connection_sync(connection=salesforce_connection)

    assert retry.value.countdown == settings.SALESFORCE_DAILY_LIMIT_RETRY_AFTER
    assert salesforce_fake.api_used == 995  # half of what was left, the rest for the org's other tools
    run = SyncRun.objects.for_org(acme).get()
    assert "share of Salesforce's daily API calls" in run.errors[-1]


def test_request_limit_exceeded_is_temporary(acme, salesforce_connection, salesforce_fake):
    salesforce_fake.daily_limit, salesforce_fake.api_used = 1000, 1000

    with pytest.raises(SyncRetry):
        connection_sync(connection=salesforce_connection)

    assert salesforce_fake.log[-1].status == 403
    assert "daily API limit" in SyncRun.objects.for_org(acme).get().errors[-1]


def test_server_unavailable_is_retried_and_the_sync_completes(acme, salesforce_connection, salesforce_fake):
    salesforce_fake.faults.append(Fault(status=503, times=2, path="/services/data/"))

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [r.status for r in salesforce_fake.log][:3] == [503, 503, 200]
    assert Deal.objects.for_org(acme).count() == 3


def test_a_500_that_persists_leaves_the_run_to_be_retried(acme, salesforce_connection, salesforce_fake):
    salesforce_fake.faults.append(Fault(status=500, times=100, path="/services/data/"))

    with pytest.raises(SyncRetry):
        connection_sync(connection=salesforce_connection)

    salesforce_connection.refresh_from_db()
    assert salesforce_connection.status != Connection.Status.NEEDS_ATTENTION


def test_a_refused_permission_needs_the_admin(acme, salesforce_connection, salesforce_fake):
    salesforce_fake.faults.append(Fault(status=403, path="/services/data/", error_code="API_DISABLED_FOR_ORG",
                                        message="The REST API is not enabled for this Organization."))

    run = connection_sync(connection=salesforce_connection)

    salesforce_connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert salesforce_connection.status == Connection.Status.NEEDS_ATTENTION
    assert "API_DISABLED_FOR_ORG" in salesforce_connection.last_error


def test_two_connections_to_one_org_share_one_request_budget_in_redis(acme, salesforce_fake):
    first = SalesforceConnector(connection_to(acme, salesforce_fake))
    second = SalesforceConnector(connection_to(make_org(), salesforce_fake))
    assert first.budget_key == second.budget_key == f"salesforce:{salesforce_fake.scenario.org_id}"

    first._http().limiter.acquire()
    second._http().limiter.acquire()

    import redis

    from tests.integrations.salesforce.conftest import REDIS_URL

    key = f"pilotage:ratelimit:salesforce:{salesforce_fake.scenario.org_id}"
    assert redis.Redis.from_url(REDIS_URL).zcard(key) == 2
