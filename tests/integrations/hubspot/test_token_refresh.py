"""OAuth access tokens last ~30 minutes: they are refreshed ahead of expiry, once per connection,
and the new pair is stored (encrypted) before it is used."""

import threading
import time

import pytest
from django.db import connection as db

from integrations.models import Connection, Deal, SyncRun
from integrations.oauth_hubspot import hubspot_token_refresh
from integrations.providers.hubspot import HubSpotConnector
from integrations.services import connection_sync
from tests.integrations.hubspot.conftest import TOKEN


def _oauth_connection(org, fake, *, expires_in: float) -> Connection:
    code = fake.issue_code(redirect_uri="http://testserver/cb")
    tokens = fake.handle("POST", "/oauth/v1/token", {}, {"content-type": "application/x-www-form-urlencoded"},
                         f"grant_type=authorization_code&code={code}&redirect_uri=http://testserver/cb"
                         f"&client_id=fake-client-id&client_secret=fake-client-secret".encode())
    import json

    body = json.loads(tokens[2])
    fake.log.clear()  # what follows is the connector's traffic only
    return Connection.objects.create(
        organization=org, provider="hubspot", provider_account_id=str(fake.scenario.hub_id),
        credentials={"auth": "oauth", "access_token": body["access_token"], "refresh_token": body["refresh_token"],
                     "expires_at": time.time() + expires_in},
    )


def _stored_credentials(connection: Connection) -> dict:
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).credentials


def test_a_token_expiring_within_five_minutes_is_refreshed_before_the_first_request(acme, hubspot_fake):
    connection = _oauth_connection(acme, hubspot_fake, expires_in=120)
    old_access = connection.credentials["access_token"]

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    paths = [r.path for r in hubspot_fake.log]
    assert paths[0] == "/oauth/v1/token"
    assert paths.count("/oauth/v1/token") == 1
    stored = _stored_credentials(connection)
    assert stored["access_token"] != old_access
    assert stored["expires_at"] > time.time() + 1700
    crm_tokens = {r.token for r in hubspot_fake.log if r.path.startswith("/crm/")}
    assert crm_tokens == {stored["access_token"]}


def test_the_refreshed_pair_is_stored_encrypted(acme, hubspot_fake):
    connection = _oauth_connection(acme, hubspot_fake, expires_in=0)
    connection_sync(connection=connection)
    stored = _stored_credentials(connection)

    with db.cursor() as cursor:
        cursor.execute("SELECT credentials FROM integrations_connection WHERE id = %s", [connection.pk])
        (raw,) = cursor.fetchone()
    assert stored["access_token"] not in raw
    assert stored["refresh_token"] not in raw


def test_a_rotated_refresh_token_replaces_the_old_one(acme, hubspot_fake):
    hubspot_fake.rotate_refresh_tokens = True
    connection = _oauth_connection(acme, hubspot_fake, expires_in=0)
    first_refresh = connection.credentials["refresh_token"]

    connection_sync(connection=connection)

    stored = _stored_credentials(connection)
    assert stored["refresh_token"] != first_refresh
    assert first_refresh not in hubspot_fake.refresh_tokens  # the old one is dead at HubSpot
    assert stored["refresh_token"] in hubspot_fake.refresh_tokens


def test_a_second_worker_uses_the_token_the_first_one_stored_instead_of_refreshing_again(acme, hubspot_fake):
    hubspot_fake.rotate_refresh_tokens = True
    connection = _oauth_connection(acme, hubspot_fake, expires_in=10)
    worker_a = Connection.objects.for_org(acme).get(pk=connection.pk)
    worker_b = Connection.objects.for_org(acme).get(pk=connection.pk)  # read before A refreshed

    hubspot_token_refresh(connection=worker_a)
    hubspot_token_refresh(connection=worker_b)

    assert len(hubspot_fake.requests_to("/oauth/v1/token")) == 1
    assert worker_b.credentials["access_token"] == worker_a.credentials["access_token"]
    assert worker_b.credentials["refresh_token"] in hubspot_fake.refresh_tokens


def test_an_access_token_that_expired_early_is_refreshed_once_and_the_request_retried(acme, hubspot_fake):
    connection = _oauth_connection(acme, hubspot_fake, expires_in=3600)
    hubspot_fake.expire_access_tokens()  # HubSpot says 401 although we believed it valid

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert len(hubspot_fake.requests_to("/oauth/v1/token")) == 1
    assert [r.status for r in hubspot_fake.log].count(401) == 1


def test_a_revoked_refresh_token_needs_the_admin(acme, hubspot_fake):
    connection = _oauth_connection(acme, hubspot_fake, expires_in=0)
    hubspot_fake.refresh_tokens.clear()  # the app was uninstalled from the HubSpot account

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect HubSpot again" in connection.last_error
    assert "rt-" not in connection.last_error  # never the token itself


def test_a_private_app_token_is_never_refreshed(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)

    assert hubspot_fake.requests_to("/oauth/") == []
    assert {r.token for r in hubspot_fake.log} == {TOKEN}
    assert HubSpotConnector(hubspot_connection)._is_oauth() is False


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_the_same_moment_refresh_once(hubspot_fake):
    from django.db import connections

    from integrations.fakes.hubspot import Fault
    from tests.factories import make_org

    org = make_org()
    hubspot_fake.rotate_refresh_tokens = True  # a second refresh with the old token would fail outright
    connection = _oauth_connection(org, hubspot_fake, expires_in=10)
    hubspot_fake.faults.append(Fault(path="/oauth/v1/token", delay=0.3, times=5))  # a slow token endpoint
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def worker(name):
        try:
            mine = Connection.objects.for_org(org).get(pk=connection.pk)  # each read the stale pair
            start.wait()
            hubspot_token_refresh(connection=mine)
            results[name] = mine.credentials["access_token"]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)

    assert len(hubspot_fake.requests_to("/oauth/v1/token")) == 1
    assert results["a"] == results["b"] == _stored_credentials(connection)["access_token"]
