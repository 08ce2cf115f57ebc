"""The query endpoint pages by STARTPOSITION; a page exactly full asks for the next one. 429s (the
realm's limits) and 5xx are retried; an expired access token is refreshed once and the call retried;
a refused refresh needs the admin."""

import time

from integrations.models import Connection, Invoice, SyncRun
from integrations.services import connection_sync
from tests.integrations.quickbooks.conftest import qbo_connection


def test_pages_follow_startposition_until_a_short_page(acme, qbo, qbo_fake, settings):
    settings.QUICKBOOKS_PAGE_SIZE = 4  # 12 invoices: 4 + 4 + 4, then an empty page ends the listing

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    invoice_queries = [r.query["query"][0] for r in qbo_fake.requests_to("/query") if "FROM Invoice" in r.query["query"][0]]
    assert [q.split("STARTPOSITION ")[1].split()[0] for q in invoice_queries] == ["1", "5", "9", "13"]
    assert Invoice.objects.for_org(acme).filter(kind="customer", is_credit_note=False).count() == 12


def test_throttled_and_unavailable_answers_are_retried(acme, qbo, qbo_fake):
    qbo_fake.throttle_next = 2
    qbo_fake.server_errors_next = 1

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    statuses = [r.status for r in qbo_fake.log]
    assert statuses.count(429) == 2 and statuses.count(503) == 1


def test_an_access_token_about_to_expire_is_refreshed_and_the_rotated_pair_stored(acme, qbo_fake):
    connection = qbo_connection(acme, expires_in=60)

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    stored = Connection.objects.for_org(acme).get(pk=connection.pk).credentials
    assert stored["refresh_token"] != "qbo-rt-acme"
    assert "qbo-rt-acme" not in qbo_fake.refresh_tokens  # rotated: the old one is dead at Intuit
    assert stored["refresh_token"] in qbo_fake.refresh_tokens
    assert stored["expires_at"] > time.time() + 3000
    assert len(qbo_fake.requests_to("/oauth2/v1/tokens/bearer")) == 1


def test_a_token_refused_early_is_refreshed_once_and_the_call_retried(acme, qbo_fake):
    connection = qbo_connection(acme, access="qbo-at-revoked")  # Intuit answers 401 to it

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert len(qbo_fake.requests_to("/oauth2/v1/tokens/bearer")) == 1


def test_a_dead_refresh_token_needs_the_admin(acme, qbo_fake):
    connection = qbo_connection(acme, expires_in=0)
    qbo_fake.refresh_tokens.clear()  # unused for 100 days, or the app was disconnected

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect QuickBooks Online again" in connection.last_error
    assert "qbo-rt" not in connection.last_error
