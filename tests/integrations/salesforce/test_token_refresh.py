"""A Salesforce session ends after the org's timeout (the token response has no expires_in) or earlier:
a 401 INVALID_SESSION_ID refreshes once, one refresh per connection at a time, at the connection's
own login host; the refresh token is not rotated."""

import time

import pytest

from integrations.fakes.salesforce import Fault
from integrations.models import Connection, Deal, SyncRun
from integrations.providers.salesforce.oauth import SalesforceOAuth
from integrations.services import connection_sync
from tests.integrations.oauth_workers import refresh_in_two_workers
from tests.integrations.salesforce.conftest import connection_to


def _stored(connection):
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).credentials


def test_a_session_that_ended_early_is_refreshed_once_and_the_request_retried(acme, salesforce_fake):
    connection = connection_to(acme, salesforce_fake)
    refresh_token = connection.credentials["refresh_token"]
    salesforce_fake.expire_access_tokens()

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    assert len(salesforce_fake.requests_to("/services/oauth2/token")) == 1
    assert [r.status for r in salesforce_fake.log].count(401) == 1
    assert _stored(connection)["refresh_token"] == refresh_token  # not rotated


def test_a_session_due_to_expire_is_refreshed_before_the_first_request(acme, salesforce_fake):
    connection = connection_to(acme, salesforce_fake, expires_in=60)

    connection_sync(connection=connection)

    assert salesforce_fake.log[0].path == "/services/oauth2/token"
    assert _stored(connection)["expires_at"] > time.time() + 7000


def test_a_sandbox_connection_refreshes_at_the_sandbox_login_host(acme, salesforce_fake, settings):
    salesforce_fake.scenario.is_sandbox = True
    connection = connection_to(acme, salesforce_fake, expires_in=0, login="sandbox")

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    [token] = salesforce_fake.requests_to("/services/oauth2/token")
    assert token.host == "test.salesforce.fake"


def test_a_revoked_refresh_token_needs_the_admin(acme, salesforce_fake):
    connection = connection_to(acme, salesforce_fake, expires_in=0)
    salesforce_fake.refresh_tokens.clear()

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect Salesforce again" in connection.last_error
    assert "5Aep" not in connection.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_the_same_moment_refresh_once(salesforce_fake):
    from tests.factories import make_org

    org = make_org()
    connection = connection_to(org, salesforce_fake, expires_in=10)
    salesforce_fake.faults.append(Fault(path="/services/oauth2/token", delay=0.3, times=5))
    results = refresh_in_two_workers(app=SalesforceOAuth(), connection=connection)

    assert len(salesforce_fake.requests_to("/services/oauth2/token")) == 1
    assert results["a"] == results["b"] == _stored(connection)["access_token"]
