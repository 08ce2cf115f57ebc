"""401/403/429/5xx and Zoho's daily API credits."""

import pytest

from integrations.fakes.hubspot import Fault
from integrations.models import Connection, Contact, Deal, Lead, SyncRun
from integrations.services import SyncRetry, connection_sync


def test_too_many_requests_and_502s_are_waited_out(acme, zoho_connection, zoho_fake):
    zoho_fake.faults += [Fault(status=429, times=2, path="/crm/v8/Deals"),
                         Fault(status=502, times=2, path="/crm/v8/Leads")]

    run = connection_sync(connection=zoho_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    assert [r.status for r in zoho_fake.log if r.path == "/crm/v8/Deals"] == [429, 429, 200]
    assert [r.status for r in zoho_fake.log if r.path == "/crm/v8/Leads"] == [502, 502, 200]


def test_spent_credits_stop_the_sync_for_an_hour_without_hammering_zoho(acme, zoho_connection, zoho_fake):
    zoho_fake.credits_per_day = 5  # /org twice, layouts, pipeline, users: the Accounts list is refused

    with pytest.raises(SyncRetry) as retry:
        connection_sync(connection=zoho_connection)

    assert retry.value.countdown == 3600
    assert [r.status for r in zoho_fake.log] == [200, 200, 200, 200, 200, 429]
    run = SyncRun.objects.for_org(acme).get()
    assert run.state == SyncRun.State.QUEUED
    assert "daily API credits" in run.errors[-1]


def test_credits_under_the_reserve_stop_the_sync_before_they_are_spent(acme, zoho_connection, zoho_fake, settings):
    settings.ZOHO_CREDIT_RESERVE = 49_997  # the third answer leaves 49,997 credits: stop there

    with pytest.raises(SyncRetry):
        connection_sync(connection=zoho_connection)

    assert len(zoho_fake.log) == 4 and 429 not in [r.status for r in zoho_fake.log]
    assert "nearly spent" in SyncRun.objects.for_org(acme).get().errors[-1]


def test_a_refused_module_is_skipped_and_the_others_synced(acme, zoho_connection, zoho_fake):
    zoho_fake.faults.append(Fault(status=403, times=10, path="/crm/v8/Leads"))

    run = connection_sync(connection=zoho_connection)

    zoho_connection.refresh_from_db()
    assert run.state == SyncRun.State.DONE
    assert zoho_connection.status == Connection.Status.PARTLY_SYNCED
    assert [s["object_type"] for s in run.skipped] == ["Leads"]
    assert run.skipped[0]["reason"].startswith("Leads: Zoho CRM refused them")
    assert not Lead.objects.for_org(acme).exists() and Contact.objects.for_org(acme).count() == 2
    assert [r.status for r in zoho_fake.log].count(403) == 1  # never retried


def test_a_revoked_refresh_token_asks_to_reconnect_and_never_shows_the_token(acme, zoho_connection, zoho_fake):
    refresh = zoho_connection.credentials["refresh_token"]
    zoho_fake.refresh_tokens.clear()
    zoho_fake.expire_access_tokens()

    run = connection_sync(connection=zoho_connection)

    zoho_connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert zoho_connection.status == Connection.Status.NEEDS_ATTENTION
    assert "connect Zoho CRM again" in zoho_connection.last_error
    assert refresh not in zoho_connection.last_error + " ".join(run.errors)
