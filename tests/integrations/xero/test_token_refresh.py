"""Xero's access tokens last 30 minutes and its refresh tokens are single-use: a refresh stores the new
pair before anything uses it, two workers refreshing at once refresh once (the second would be refused),
a token Xero refuses early is refreshed once, and a dead refresh token needs the admin."""

import time

import pytest

from integrations.models import Connection, SyncRun
from integrations.providers.xero import XeroOAuth
from integrations.services import connection_sync
from tests.integrations.oauth_workers import refresh_in_two_workers
from tests.integrations.xero.conftest import REFRESH, xero_connection


def _stored(connection):
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).credentials


def test_an_access_token_about_to_expire_is_refreshed_and_the_new_pair_stored(acme, xero_fake):
    connection = xero_connection(acme, expires_in=60)

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    stored = _stored(connection)
    assert stored["refresh_token"] != REFRESH
    assert REFRESH not in xero_fake.refresh_tokens  # single-use: the old one is dead at Xero
    assert stored["refresh_token"] in xero_fake.refresh_tokens
    assert stored["expires_at"] > time.time() + 1500
    assert len(xero_fake.requests_to("/connect/token")) == 1


def test_a_token_refused_early_is_refreshed_once_and_the_call_retried(acme, xero_fake):
    connection = xero_connection(acme, access="xero-at-revoked")  # Xero answers 401 TokenExpired

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert len(xero_fake.requests_to("/connect/token")) == 1
    assert [r.status for r in xero_fake.log].count(401) == 1


def test_a_dead_refresh_token_needs_the_admin(acme, xero_fake):
    connection = xero_connection(acme, expires_in=0)
    xero_fake.refresh_tokens.clear()  # unused for 60 days, or the app was disconnected

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect Xero again" in connection.last_error
    assert "xero-rt" not in connection.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_the_same_moment_refresh_once(xero_fake):
    from tests.factories import make_org

    org = make_org()
    connection = xero_connection(org, expires_in=10)
    xero_fake.token_delay = 0.3  # a slow token endpoint: the second worker arrives while the first waits
    results = refresh_in_two_workers(app=XeroOAuth(), connection=connection)

    assert len(xero_fake.requests_to("/connect/token")) == 1
    assert results["a"] == results["b"] == _stored(connection)["access_token"]
