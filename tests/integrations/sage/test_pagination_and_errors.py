"""Lists follow `$next` to the end (a page number past the last answers the last page again, so counting
pages would loop); a killed sync resumes from the stored `$next`; 429s and 5xx are retried; Sage's error
bodies are read; a 403 on one area skips it; 5-minute tokens are refreshed and the rotated pair stored,
once, even by two workers at the same time; a dead refresh token needs the admin."""

import time

from integrations.http import parse_error_body
from integrations.models import Connection, Invoice, LedgerLine, SyncRun
from integrations.providers.sage import SageConnector
from integrations.services import connection_sync
from tests.integrations.oauth_workers import refresh_in_two_workers
from tests.integrations.sage.conftest import REFRESH, sage_connection


def test_pages_follow_next_until_the_last(acme, sage, sage_fake, settings):
    settings.SAGE_ITEMS_PER_PAGE = 5  # 14 sales invoices (a draft and a voided one among them): 5 + 5 + 4

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    pages = [r.query.get("page", ["1"])[0] for r in sage_fake.requests_to("/v3.1/sales_invoices")]
    assert pages == ["1", "2", "3"]
    assert Invoice.objects.for_org(acme).filter(external_id__startswith="si:").count() == 14


def test_the_fake_answers_the_last_page_past_the_end_as_sage_does(sage_fake):
    import httpx

    client = httpx.Client(transport=sage_fake.transport(), base_url="http://sage.fake/v3.1",
                          headers={"Authorization": "Bearer sage-at-acme"})
    body = client.get("/contacts", params={"page": 9, "items_per_page": 3}).json()

    assert body["$page"] == 2 and body["$next"] is None and len(body["$items"]) == 1


def test_a_sync_killed_midway_resumes_from_the_stored_next_without_loss_or_duplicates(acme, sage, sage_fake,
                                                                                        settings):
    settings.SAGE_ITEMS_PER_PAGE = 4
    connector = SageConnector(sage)
    pages = connector.fetch(cursors={})
    for page in pages:
        if page.object_type == "ledger_entries":
            break
    # Killed while reading the ledger: what was written so far is what the service stored with its cursor.
    sage.cursors = {"ledger_entries": {"phase": "list", "next": page.cursor["next"], "started": page.cursor["started"]}}
    sage.save(update_fields=["cursors"])
    sage_fake.log.clear()

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    first = [r for r in sage_fake.requests_to("/v3.1/ledger_entries")][0]
    assert first.query["page"] == ["2"]
    stored = LedgerLine.objects.for_org(acme)
    assert stored.count() == len(sage_fake.business.objects["ledger_entries"]) - 4  # page 1 was never stored
    assert stored.values("external_id").distinct().count() == stored.count()


def test_throttled_and_unavailable_answers_are_retried(acme, sage, sage_fake):
    sage_fake.throttle_next = 2
    sage_fake.server_errors_next = 1

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    statuses = [r.status for r in sage_fake.log]
    assert statuses.count(429) == 2 and statuses.count(503) == 1


def test_sages_error_list_is_read():
    import httpx

    response = httpx.Response(422, json=[{"$severity": "error", "$dataCode": "InvalidParameter",
                                          "$message": "items_per_page must be between 1 and 200.",
                                          "$source": "items_per_page"}])

    code, message, details = parse_error_body(response)

    assert (code, message) == ("InvalidParameter", "items_per_page must be between 1 and 200.")
    assert details[0]["$source"] == "items_per_page"


def test_an_area_the_user_may_not_read_is_skipped_and_the_rest_synced(acme, sage, sage_fake):
    original = sage_fake._route

    def refuse_purchases(method, path, query, headers, body):
        if path == "/v3.1/purchase_invoices":
            return 403, {"Content-Type": "application/json"}, (
                b'[{"$severity": "error", "$dataCode": "AccessDenied", "$message": "No access to Purchases",'
                b' "$source": ""}]')
        return original(method, path, query, headers, body)

    sage_fake._route = refuse_purchases

    run = connection_sync(connection=sage)

    sage.refresh_from_db()
    assert run.state == SyncRun.State.DONE, run.errors
    assert "purchases and payables will not show" in str(run.skipped)
    assert not Invoice.objects.for_org(acme).filter(kind="supplier").exists()
    assert Invoice.objects.for_org(acme).filter(kind="customer").exists()


def test_a_token_about_to_expire_is_refreshed_and_the_rotated_pair_stored(acme, sage_fake):
    connection = sage_connection(acme, expires_in=30)

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    stored = Connection.objects.for_org(acme).get(pk=connection.pk).credentials
    assert REFRESH not in sage_fake.refresh_tokens  # rotated: the old one is dead at Sage
    assert stored["refresh_token"] in sage_fake.refresh_tokens
    assert stored["expires_at"] > time.time() + 200
    assert len(sage_fake.requests_to("/token")) == 1


def test_a_token_refused_early_is_refreshed_once_and_the_call_retried(acme, sage_fake):
    connection = sage_connection(acme, access="sage-at-revoked")

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert len(sage_fake.requests_to("/token")) == 1


def test_two_workers_refreshing_at_once_spend_the_rotating_refresh_token_once(acme, sage_fake, transactional_db):
    from integrations.providers.sage import SageOAuth

    connection = sage_connection(acme, expires_in=0)
    results = refresh_in_two_workers(app=SageOAuth(), connection=connection)

    assert results["a"] == results["b"]  # the second used the pair the first stored
    assert [r.status for r in sage_fake.requests_to("/token")] == [200]
    stored = Connection.objects.for_org(acme).get(pk=connection.pk).credentials
    assert stored["refresh_token"] in sage_fake.refresh_tokens


def test_a_dead_refresh_token_needs_the_admin(acme, sage_fake):
    connection = sage_connection(acme, expires_in=0)
    sage_fake.refresh_tokens.clear()  # unused for 31 days, or the app's access was revoked

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect Sage Accounting again" in connection.last_error
    assert "sage-rt" not in connection.last_error
