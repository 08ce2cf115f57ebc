"""Archived HubSpot records never show up in search: they are read from the archived lists and tombstoned."""

from integrations.models import Contact, Deal, Lead
from integrations.services import connection_sync


def test_an_archived_deal_and_contact_are_tombstoned_not_deleted(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    scenario.archive(scenario.won)
    scenario.archive(scenario.bruno)

    run = connection_sync(connection=hubspot_connection)

    assert run.counts["deal"]["deleted"] == 1
    assert run.counts["contact"]["deleted"] == 1
    assert run.counts["lead"]["deleted"] == 1
    assert Deal.objects.for_org(acme).get(external_id=str(scenario.won.id)).is_deleted
    assert Contact.objects.for_org(acme).get(external_id=str(scenario.bruno.id)).is_deleted
    assert Lead.objects.for_org(acme).get(external_id=str(scenario.bruno.id)).is_deleted
    assert Deal.objects.for_org(acme).filter(is_deleted=False).count() == 2
    assert hubspot_fake.requests_to("/crm/v3/objects/deals", "GET")[-1].query["archived"] == ["true"]


def test_a_record_archived_before_an_earlier_sync_is_not_counted_again(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    scenario.archive(scenario.won)
    connection_sync(connection=hubspot_connection)

    run = connection_sync(connection=hubspot_connection)

    assert run.counts.get("deal", {}).get("deleted", 0) == 0
    assert Deal.objects.for_org(acme).get(external_id=str(scenario.won.id)).is_deleted


def test_a_restored_record_comes_back_to_life(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    scenario.archive(scenario.won)
    connection_sync(connection=hubspot_connection)
    scenario.restore(scenario.won)

    connection_sync(connection=hubspot_connection)

    assert not Deal.objects.for_org(acme).get(external_id=str(scenario.won.id)).is_deleted
