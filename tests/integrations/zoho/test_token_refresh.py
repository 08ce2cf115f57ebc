"""Zoho access tokens last an hour; a refresh token mints at most ten per ten minutes, so refreshes
happen only when due, once per connection, at the account's own accounts server."""

import time

import pytest

from integrations.fakes.hubspot import Fault
from integrations.models import Connection, SyncRun
from integrations.providers.zoho import ZohoOAuth
from integrations.services import connection_sync
from tests.integrations.oauth_workers import refresh_in_two_workers
from tests.integrations.zoho.conftest import zoho_credentials


def _stored(connection: Connection) -> dict:
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).credentials


def test_a_token_about_to_expire_is_refreshed_at_the_eu_accounts_server_before_the_first_call(acme, zoho_fake):
    credentials = {**zoho_credentials(zoho_fake), "expires_at": time.time() + 60}
    connection = Connection.objects.create(organization=acme, provider="zoho", credentials=credentials,
                                           provider_account_id=zoho_fake.scenario.org_id)

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    refreshes = zoho_fake.requests_to("/oauth/v2/token")
    assert [(r.host, r.status) for r in refreshes] == [("accounts.zoho-eu.fake", 200)]
    assert zoho_fake.log.index(refreshes[0]) == 0  # before any API call
    stored = _stored(connection)
    assert stored["access_token"] != credentials["access_token"]
    assert stored["refresh_token"] == credentials["refresh_token"]  # Zoho's refresh tokens do not rotate
    assert (stored["accounts_server"], stored["api_domain"]) == ("http://accounts.zoho-eu.fake",
                                                                 "http://zohoapis-eu.fake")


def test_an_access_token_revoked_early_is_refreshed_once_and_the_call_retried(acme, zoho_connection, zoho_fake):
    zoho_fake.expire_access_tokens()  # still valid by our clock, INVALID_TOKEN by Zoho's

    run = connection_sync(connection=zoho_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [r.status for r in zoho_fake.log[:3]] == [401, 200, 200]
    assert len(zoho_fake.requests_to("/oauth/v2/token")) == 1


def test_a_sync_with_a_valid_token_never_refreshes(acme, zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)
    connection_sync(connection=zoho_connection)

    assert zoho_fake.requests_to("/oauth/v2/token") == []


def test_the_fake_refuses_an_eleventh_access_token_within_ten_minutes(zoho_fake, settings):
    refresh = zoho_fake.issue_tokens()["refresh_token"]
    accounts = zoho_fake.hosts["eu"][0]
    form = (f"grant_type=refresh_token&refresh_token={refresh}&client_id=fake-zoho-client-id"
            f"&client_secret=fake-zoho-client-secret").encode()

    statuses = [zoho_fake.handle("POST", accounts, "/oauth/v2/token", {}, {}, form)[0] for _ in range(11)]

    assert statuses == [200] * 10 + [400]


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_the_same_moment_refresh_once(zoho_fake):
    from tests.factories import make_org

    org = make_org()
    connection = Connection.objects.create(organization=org, provider="zoho",
                                           credentials={**zoho_credentials(zoho_fake), "expires_at": time.time() + 10},
                                           provider_account_id=zoho_fake.scenario.org_id)
    zoho_fake.faults.append(Fault(path="/oauth/v2/token", delay=0.3, times=5))  # a slow accounts server
    results = refresh_in_two_workers(app=ZohoOAuth(), connection=connection)

    assert len(zoho_fake.requests_to("/oauth/v2/token")) == 1
    assert results["a"] == results["b"] == _stored(connection)["access_token"]
