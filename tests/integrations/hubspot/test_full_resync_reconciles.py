"""A full re-sync lists every live record, so what HubSpot no longer has (merged into another record,
or gone without passing through the archive) is tombstoned; nothing edited meanwhile is."""

from integrations.models import Contact, Deal, Lead
from integrations.services import connection_sync


def test_a_merged_contact_is_tombstoned_by_the_next_full_sync(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    del scenario.objects["contacts"][scenario.bruno.id]  # merged into another contact: it simply vanishes
    scenario.version += 1

    incremental = connection_sync(connection=hubspot_connection)
    assert incremental.counts.get("contact", {}).get("deleted", 0) == 0  # search cannot tell

    full = connection_sync(connection=hubspot_connection, full=True)

    assert full.counts["contact"]["deleted"] == 1
    assert full.counts["lead"]["deleted"] == 1
    assert Contact.objects.for_org(acme).get(external_id=str(scenario.bruno.id)).is_deleted
    assert Lead.objects.for_org(acme).get(external_id=str(scenario.bruno.id)).is_deleted
    assert Contact.objects.for_org(acme).filter(is_deleted=False).count() == 1


def test_a_deal_edited_during_a_full_sync_is_met_again_not_tombstoned(acme, hubspot_connection, hubspot_fake,
                                                                       settings):
    settings.HUBSPOT_SEARCH_PAGE_SIZE = 1
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    oldest = min(scenario.live("deals"), key=lambda d: d.updated_ms)

    def edit_after_first_deal_page(request):
        if request.path.endswith("/deals/search") and len(hubspot_fake.requests_to("/crm/v3/objects/deals/s")) == 2:
            scenario.update(oldest, amount="777")  # already read in this scan: it moves to the end

    hubspot_fake.on_request = edit_after_first_deal_page
    hubspot_fake.log.clear()

    run = connection_sync(connection=hubspot_connection, full=True)

    assert run.counts["deal"]["deleted"] == 0
    deal = Deal.objects.for_org(acme).get(external_id=str(oldest.id))
    assert (deal.is_deleted, deal.amount) == (False, 777)
