"""Later syncs read only what changed (If-Modified-Since), tombstone what was deleted, and a full
re-sync tombstones what is gone without a trace (merged away)."""

from datetime import datetime, timedelta

from integrations.models import CrmCompany, Deal, SyncRun
from integrations.services import connection_sync


def test_a_second_sync_sends_if_modified_since_from_the_first_ones_start_and_gets_304(acme, zoho_connection,
                                                                                      zoho_fake):
    first = connection_sync(connection=zoho_connection)
    zoho_fake.log.clear()

    second = connection_sync(connection=zoho_connection)

    lists = [r for r in zoho_fake.log if r.path == "/crm/v8/Deals"]
    since = datetime.fromisoformat(lists[0].headers["if-modified-since"])
    assert first.started_at - timedelta(seconds=61) < since <= first.started_at - timedelta(seconds=59)
    assert [r.status for r in lists] == [304]
    assert second.state == SyncRun.State.DONE
    assert second.total("created") == 0


def test_an_edit_after_the_first_sync_is_read_by_the_next_one(acme, zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)
    zoho_fake.scenario.update(zoho_fake.scenario.open, Stage="Closed Won", at=datetime.now().astimezone())

    connection_sync(connection=zoho_connection)

    deal = Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.open.id)
    assert (deal.stage, deal.is_closed, deal.is_won) == ("Closed Won", True, True)


def test_a_deal_edited_while_the_sync_reads_it_is_read_again_next_time(acme, zoho_connection, zoho_fake):
    scenario = zoho_fake.scenario

    def edit_during_the_deals_page(entry):
        if entry.path == "/crm/v8/Deals" and scenario.won.fields["Amount"] == 12000:
            scenario.update(scenario.won, Amount=15000, at=datetime.now().astimezone())

    zoho_fake.on_request = edit_during_the_deals_page
    connection_sync(connection=zoho_connection)
    zoho_fake.on_request = None

    connection_sync(connection=zoho_connection)

    assert Deal.objects.for_org(acme).get(external_id=scenario.won.id).amount == 15000


def test_a_deleted_deal_is_tombstoned_from_the_deleted_records_list(acme, zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)
    zoho_fake.scenario.delete(zoho_fake.scenario.won, at=datetime.now().astimezone())

    connection_sync(connection=zoho_connection)

    calls = [r for r in zoho_fake.log if r.path == "/crm/v8/Deals/deleted"]
    assert calls and calls[-1].query["type"] == ["all"] and "if-modified-since" in calls[-1].headers
    assert Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.won.id).is_deleted


def test_a_full_resync_tombstones_an_account_gone_without_trace(acme, zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)
    del zoho_fake.scenario.records["Accounts"][zoho_fake.scenario.alpes.id]  # merged into another, no bin entry

    run = connection_sync(connection=zoho_connection, full=True)

    assert run.state == SyncRun.State.DONE, run.errors
    alpes = CrmCompany.objects.for_org(acme).filter(external_id=zoho_fake.scenario.alpes.id).values_list(
        "is_deleted", flat=True)
    assert list(alpes) == [True]
    assert CrmCompany.objects.for_org(acme).get(external_id=zoho_fake.scenario.boreal.id).is_deleted is False
