"""Lists page with `page=` until a short page; the ledger follows `/Journals?offset=` 100 journals at a
time. 429s (the tenant's minute limit) honour Retry-After, 5xx are retried, a spent daily budget
re-queues the run instead of sleeping; a tenant the token no longer reaches (403) needs the admin."""

from datetime import date

import pytest

from integrations.fakes.xero_scenario import demo_tenant
from integrations.models import Connection, Invoice, LedgerLine, SyncRun
from integrations.services import SyncRetry, connection_sync


def test_pages_follow_page_numbers_until_a_short_page(acme, xero, xero_fake, settings):
    settings.XERO_PAGE_SIZE = 4  # 16 invoices and bills: 4 + 4 + 4 + 4, then an empty page ends the listing

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    pages = [(r.query["page"][0], r.query["pageSize"][0]) for r in xero_fake.log if r.path.endswith("/Invoices")]
    assert pages == [("1", "4"), ("2", "4"), ("3", "4"), ("4", "4"), ("5", "4")]
    assert Invoice.objects.for_org(acme).filter(is_credit_note=False).count() == 16


def test_the_ledger_is_read_100_journals_at_a_time_by_journal_number(acme, xero, xero_fake):
    xero_fake.tenants[xero_fake.tenant.tenant_id] = big = demo_tenant(today=date.today(), invoices=80)
    xero_fake.tenant = big
    assert 100 < len(big.journals) < 200

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [r.query["offset"][0] for r in xero_fake.requests_to("/Journals")] == ["0", "100"]
    lines = sum(len(j["JournalLines"]) for j in big.journals)
    assert LedgerLine.objects.for_org(acme).count() == lines


def test_a_page_size_xero_refuses_stops_with_xeros_message(acme, xero, settings):
    settings.XERO_PAGE_SIZE = 1001

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.FAILED
    assert "pageSize must be between 1 and 1000" in run.errors[-1]


def test_throttled_and_unavailable_answers_are_retried_after_what_xero_asks(acme, xero, xero_fake):
    xero_fake.throttle_next = 2
    xero_fake.server_errors_next = 1

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    statuses = [r.status for r in xero_fake.log]
    assert statuses.count(429) == 2 and statuses.count(503) == 1


def test_a_spent_daily_budget_requeues_the_run_for_when_xero_says(acme, xero, xero_fake):
    xero_fake.throttle_next = 1
    xero_fake.throttle_problem = "day"
    xero_fake.throttle_retry_after = 40_000

    with pytest.raises(SyncRetry) as retry:
        connection_sync(connection=xero)

    assert 40_000 <= retry.value.countdown < 40_001
    assert SyncRun.objects.for_org(acme).get().state == SyncRun.State.QUEUED


def test_every_answer_reports_the_remaining_budgets(acme, xero, xero_fake):
    import httpx

    from integrations.fakes.xero import ORIGIN
    from integrations.fakes.xero_scenario import TENANT_ID
    from tests.integrations.xero.conftest import ACCESS

    answer = httpx.Client(transport=xero_fake.transport()).get(
        f"{ORIGIN}/api.xro/2.0/Organisation", headers={"Authorization": f"Bearer {ACCESS}", "xero-tenant-id": TENANT_ID})

    assert answer.status_code == 200
    assert {"x-minlimit-remaining", "x-daylimit-remaining", "x-appminlimit-remaining"} <= set(answer.headers)
    assert answer.json()["Organisations"][0]["FinancialYearEndMonth"] == 3


def test_a_tenant_the_token_no_longer_reaches_needs_the_admin(acme, xero, xero_fake):
    from tests.integrations.xero.conftest import ACCESS

    xero_fake.tokens[ACCESS][0].tenants.clear()  # the organisation was disconnected from the app in Xero

    run = connection_sync(connection=xero)

    xero.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert xero.status == Connection.Status.NEEDS_ATTENTION
    assert "403" in xero.last_error and "connect Xero again" in xero.last_error
