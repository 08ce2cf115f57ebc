"""Results come in batches linked by nextRecordsUrl; a query locator keeps the results as they were when
the query ran, so an edit made while a sync pages is read by the next sync, never lost."""

from datetime import UTC, datetime, timedelta

from integrations.fakes.salesforce_scenario import SalesforceScenario
from integrations.models import Deal, Lead, SyncRun
from integrations.services import connection_sync


def test_every_batch_is_followed_until_done(acme, salesforce_connection, salesforce_fake):
    salesforce_fake.scenario = SalesforceScenario.boisfin(seed=3)
    salesforce_fake.scenario.org_id = "00D5g000000ACMEEA2"
    salesforce_fake.batch_size = 7

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Lead.objects.for_org(acme).count() == len(salesforce_fake.scenario.records["Lead"]) == 100
    more = [r for r in salesforce_fake.log if "/query/01g" in r.path]
    assert len(more) >= 100 // 7
    assert all(r.status == 200 for r in more)


def test_an_opportunity_edited_while_the_sync_pages_is_read_by_the_next_sync(acme, salesforce_connection,
                                                                             salesforce_fake):
    salesforce_fake.batch_size = 1
    s = salesforce_fake.scenario

    def edit_once(entry):
        if entry.soql.startswith("(more)") and not getattr(edit_once, "done", False) and \
                any("FROM Opportunity" in r.soql for r in salesforce_fake.log):
            edit_once.done = True
            s.edit(s.won, at=datetime.now(UTC) + timedelta(seconds=1), Amount=13000.0)

    salesforce_fake.on_request = edit_once
    connection_sync(connection=salesforce_connection)
    assert edit_once.done
    salesforce_fake.on_request = None
    assert Deal.objects.for_org(acme).count() == 3

    connection_sync(connection=salesforce_connection)

    assert Deal.objects.for_org(acme).get(external_id=s.won).amount == 13000
