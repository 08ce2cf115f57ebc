"""Paging edges: a last page exactly full, an empty result, owners and archived lists over several pages,
and association reads where some deals have no company (HubSpot answers 207)."""

from integrations.fakes.hubspot_scenario import to_ms
from integrations.models import Contact, Deal, Lead
from integrations.services import connection_sync
from tests.integrations.hubspot.conftest import at


def _searches(fake, type_):
    return fake.requests_to(f"/crm/v3/objects/{type_}/search")


def test_a_result_that_exactly_fills_the_page_needs_no_extra_request(acme, hubspot_connection, hubspot_fake,
                                                                      settings):
    settings.HUBSPOT_SEARCH_PAGE_SIZE = 2

    connection_sync(connection=hubspot_connection)

    assert len(_searches(hubspot_fake, "companies")) == 1  # 2 companies: one full page, no paging.next
    _first, second = _searches(hubspot_fake, "deals")  # 3 deals: 2 + 1
    # The next page is a new query from the last value seen, minus the records already read there.
    assert "after" not in second.body
    newer, same_instant = (g["filters"] for g in second.body["filterGroups"])
    last_seen = str(to_ms(hubspot_fake.scenario.early.updated_ms))  # won, then early: sorted by last change
    assert newer[0] == {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": last_seen}
    assert same_instant == [
        {"propertyName": "hs_lastmodifieddate", "operator": "EQ", "value": last_seen},
        {"propertyName": "hs_object_id", "operator": "NOT_IN", "values": [str(hubspot_fake.scenario.early.id)]},
    ]
    assert Deal.objects.for_org(acme).count() == 3


def test_nothing_changed_is_one_empty_search_per_object_and_the_cursor_still_moves(hubspot_connection,
                                                                                  hubspot_fake):
    connection_sync(connection=hubspot_connection)
    hubspot_connection.refresh_from_db()
    first = hubspot_connection.cursors["deals"]["since"]
    hubspot_fake.log.clear()

    connection_sync(connection=hubspot_connection)

    hubspot_connection.refresh_from_db()
    assert len(_searches(hubspot_fake, "deals")) == 1
    assert hubspot_connection.cursors["deals"]["since"] > first


def test_owners_are_read_over_several_pages_including_those_who_left(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    owners = [scenario.add_owner(f"Rep{i}", "Test") for i in range(150)]
    gone = scenario.add_owner("Marc", "Parti", archived=True)
    scenario.update(scenario.open, hubspot_owner_id=owners[-1].id)
    scenario.update(scenario.won, hubspot_owner_id=gone.id)

    connection_sync(connection=hubspot_connection)

    owner_calls = hubspot_fake.requests_to("/crm/v3/owners")
    # 151 active owners → 2 pages, then the archived list (one rep who left)
    assert [(r.query.get("after"), r.query["archived"]) for r in owner_calls] == [
        (None, ["false"]), (["100"], ["false"]), (None, ["true"])]
    assert Deal.objects.for_org(acme).get(external_id=str(scenario.open.id)).owner_name == "Rep149 Test"
    assert Deal.objects.for_org(acme).get(external_id=str(scenario.won.id)).owner_name == "Marc Parti"


def test_more_than_one_page_of_archived_contacts_are_all_tombstoned(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    scenario.bulk_contacts(150, start=at(2026, 3, 1))
    connection_sync(connection=hubspot_connection)
    for contact in scenario.live("contacts")[:140]:
        scenario.archive(contact)

    run = connection_sync(connection=hubspot_connection)

    assert run.counts["contact"]["deleted"] == 140
    assert run.counts["lead"]["deleted"] == 140
    assert Contact.objects.for_org(acme).filter(is_deleted=False).count() == 152 - 140
    assert Lead.objects.for_org(acme).filter(is_deleted=True).count() == 140
    archived_lists = [r for r in hubspot_fake.requests_to("/crm/v3/objects/contacts", "GET")
                      if r.query.get("archived") == ["true"]]
    assert len(archived_lists) == 2  # 100 + 40


def test_deals_without_a_company_come_back_in_a_207_and_keep_no_company(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)

    batch = hubspot_fake.requests_to("/crm/v4/associations/deals/companies/batch/read")
    assert [r.status for r in batch] == [207]
    assert len(batch[0].body["inputs"]) == 3
    assert Deal.objects.for_org(acme).filter(company__isnull=True).count() == 1
