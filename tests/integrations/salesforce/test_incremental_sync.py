"""Later syncs read only what moved since the cursor (SystemModstamp, with an overlap window, up to the
sync's start) through queryAll, and change nothing when nothing moved."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from integrations.models import Deal, Lead, SyncRun
from integrations.services import connection_sync
from tests.integrations.salesforce.conftest import ago


def test_an_edited_and_a_new_opportunity_arrive_and_nothing_is_duplicated(acme, salesforce_connection,
                                                                           salesforce_fake):
    connection_sync(connection=salesforce_connection)
    s = salesforce_fake.scenario
    s.edit(s.open, at=ago(2), Amount=9100.0, StageName="Closed Won")
    fresh = s.add_opportunity(name="Opale — Add-on", amount="1500", stage="Prospecting",
                              created=datetime.now(UTC) - timedelta(seconds=5), close_date=None, account=s.opale)
    salesforce_fake.log.clear()

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 4
    won = Deal.objects.for_org(acme).get(external_id=s.open)
    assert (won.amount, won.is_won) == (Decimal("9100.00"), True)
    assert Deal.objects.for_org(acme).get(external_id=fresh).company.name == "Opale Conseil"
    assert (run.counts["deal"]["created"], run.counts["deal"]["updated"]) == (1, 1)


def test_the_incremental_query_is_a_window_on_systemmodstamp_through_queryall(acme, salesforce_connection,
                                                                              salesforce_fake, settings):
    connection_sync(connection=salesforce_connection)
    salesforce_fake.log.clear()

    connection_sync(connection=salesforce_connection)

    [query] = salesforce_fake.queries("Opportunity")
    assert query.path.endswith("/queryAll")
    assert "WHERE SystemModstamp >= " in query.soql and "AND SystemModstamp < " in query.soql
    assert query.soql.endswith("ORDER BY SystemModstamp, Id")
    cursor = salesforce_connection.__class__.objects.get(pk=salesforce_connection.pk).cursors["Opportunity"]
    since = datetime.fromisoformat(cursor["since"])
    assert since <= datetime.now(UTC)  # never past the sync's start
    lower = query.soql.split("SystemModstamp >= ")[1].split(" ")[0]
    overlap = since - datetime.fromisoformat(lower.replace("Z", "+00:00"))
    assert timedelta(seconds=settings.SALESFORCE_MODSTAMP_OVERLAP_SECONDS - 120) <= overlap


def test_a_change_committed_late_with_an_earlier_stamp_is_still_read(acme, salesforce_connection, salesforce_fake):
    connection_sync(connection=salesforce_connection)
    s = salesforce_fake.scenario
    # A long transaction stamps the row when it starts, but commits after our last sync read.
    s.edit(s.bruno_lead, at=datetime.now(UTC) - timedelta(seconds=60), IsConverted=True, ConvertedDate="2026-06-02")

    connection_sync(connection=salesforce_connection)

    assert str(Lead.objects.for_org(acme).get(external_id=s.bruno_lead).converted_on) == "2026-06-02"


def test_a_second_sync_with_nothing_new_changes_nothing(acme, salesforce_connection):
    connection_sync(connection=salesforce_connection)
    before = list(Deal.objects.for_org(acme).order_by("pk").values_list("pk", "amount", "stage"))

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE
    assert list(Deal.objects.for_org(acme).order_by("pk").values_list("pk", "amount", "stage")) == before
    assert run.total("created") == 0
