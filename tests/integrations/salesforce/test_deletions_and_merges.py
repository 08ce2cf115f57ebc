"""Deleted rows (queryAll's IsDeleted), merged ones (MasterRecordId) and rows already emptied from
the recycle bin (the deleted window) are tombstoned; a full resync tombstones whatever it no longer lists."""

from integrations.models import Contact, CrmCompany, Deal, Lead
from integrations.services import connection_sync, sync_run_enqueue
from tests.integrations.salesforce.conftest import ago


def test_a_deleted_opportunity_is_tombstoned_on_the_next_sync(acme, salesforce_connection, salesforce_fake):
    connection_sync(connection=salesforce_connection)
    salesforce_fake.scenario.delete(salesforce_fake.scenario.early, at=ago(2))

    connection_sync(connection=salesforce_connection)

    deal = Deal.objects.for_org(acme).get(external_id=salesforce_fake.scenario.early)
    assert deal.is_deleted


def test_a_merged_account_and_lead_are_tombstoned_and_the_survivors_stay(acme, salesforce_connection,
                                                                          salesforce_fake):
    s = salesforce_fake.scenario
    duplicate = s.add_lead(first="Bruno", last="Roux", email="bruno@gmail.example", company="—", source="Web",
                           created=s.records["Lead"][s.bruno_lead]["CreatedDate"])
    connection_sync(connection=salesforce_connection)
    s.merge(duplicate, into=s.bruno_lead, at=ago(2))
    s.merge(s.opale, into=s.boreal, at=ago(2))

    connection_sync(connection=salesforce_connection)

    assert Lead.objects.for_org(acme).get(external_id=duplicate).is_deleted
    assert not Lead.objects.for_org(acme).get(external_id=s.bruno_lead).is_deleted
    assert CrmCompany.objects.for_org(acme).get(external_id=s.opale).is_deleted
    assert not CrmCompany.objects.for_org(acme).get(external_id=s.boreal).is_deleted


def test_a_row_emptied_from_the_recycle_bin_is_tombstoned_through_the_deleted_window(acme, salesforce_connection,
                                                                                     salesforce_fake):
    connection_sync(connection=salesforce_connection)
    salesforce_fake.scenario.purge(salesforce_fake.scenario.bruno, at=ago(2))  # queryAll no longer returns it

    connection_sync(connection=salesforce_connection)

    assert Contact.objects.for_org(acme).get(external_id=salesforce_fake.scenario.bruno).is_deleted
    assert salesforce_fake.requests_to("/sobjects/Contact/deleted")


def test_a_full_resync_tombstones_rows_gone_for_longer_than_the_deleted_window(acme, salesforce_connection,
                                                                               salesforce_fake):
    connection_sync(connection=salesforce_connection)
    s = salesforce_fake.scenario
    del s.records["Opportunity"][s.early]  # gone without a trace any endpoint still shows

    run = sync_run_enqueue(connection=salesforce_connection, full=True)
    connection_sync(connection=salesforce_connection, run=run)

    assert Deal.objects.for_org(acme).get(external_id=s.early).is_deleted
    assert Deal.objects.for_org(acme).filter(is_deleted=False).count() == 2
