"""A later sync asks the search API only for what changed since the last one, and stores only that."""

from datetime import UTC, datetime

from integrations.models import Contact, Deal, Lead
from integrations.services import connection_sync


def _search_filters(fake, type_):
    return [r.body["filterGroups"][0]["filters"] for r in fake.requests_to(f"/crm/v3/objects/{type_}/search")]


def test_second_sync_picks_up_only_the_changed_deal_and_the_new_contact(acme, hubspot_connection, hubspot_fake):
    scenario = hubspot_fake.scenario
    connection_sync(connection=hubspot_connection)
    scenario.update(scenario.open, amount="9100", dealstage="closedwon")
    new = scenario.add_contact(email="chloe@opale.fr", firstname="Chloé", lastname="Simon", company=scenario.opale)

    run = connection_sync(connection=hubspot_connection)

    assert run.counts["deal"] == {"created": 0, "updated": 1, "unchanged": 0, "deleted": 0, "rejected": 0}
    assert run.counts["contact"]["created"] == 1
    assert run.counts["lead"]["created"] == 1
    assert "crmcompany" not in run.counts or run.counts["crmcompany"]["updated"] == 0
    deal = Deal.objects.for_org(acme).get(external_id=str(scenario.open.id))
    assert (deal.amount, deal.is_won) == (9100, True)
    assert Contact.objects.for_org(acme).filter(external_id=str(new.id), company__name="Opale Conseil").exists()
    assert Lead.objects.for_org(acme).count() == 3


def test_each_object_is_searched_on_its_own_last_modified_property_in_epoch_ms(hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)
    hubspot_connection.refresh_from_db()
    stored = {t: c["since"] for t, c in hubspot_connection.cursors.items()}

    connection_sync(connection=hubspot_connection)

    contacts = _search_filters(hubspot_fake, "contacts")[-1]
    deals = _search_filters(hubspot_fake, "deals")[-1]
    companies = _search_filters(hubspot_fake, "companies")[-1]
    assert [f["propertyName"] for f in contacts] == ["lastmodifieddate", "lastmodifieddate"]
    assert [f["propertyName"] for f in deals] == ["hs_lastmodifieddate", "hs_lastmodifieddate"]
    assert [f["propertyName"] for f in companies] == ["hs_lastmodifieddate", "hs_lastmodifieddate"]
    # The second sync starts (inclusive) where the first one ended; values are epoch-ms strings.
    assert contacts[0] == {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(stored["contacts"])}
    assert contacts[1]["operator"] == "LT" and contacts[1]["value"].isdigit()
    sorts = hubspot_fake.requests_to("/crm/v3/objects/deals/search")[-1].body["sorts"]
    assert sorts == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]


def test_the_cursor_never_passes_the_time_the_sync_started(hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)  # the first sync reads everything
    hubspot_fake.log.clear()
    before = int(datetime.now(tz=UTC).timestamp() * 1000)

    connection_sync(connection=hubspot_connection)

    hubspot_connection.refresh_from_db()
    upper_bounds = {int(r.body["filterGroups"][0]["filters"][1]["value"]) for r in hubspot_fake.log
                    if r.path.endswith("/search")}
    assert len(upper_bounds) == 1
    (end,) = upper_bounds
    assert end >= before
    for cursor in hubspot_connection.cursors.values():
        assert cursor["since"] == end
        assert cursor["archived_since"] == end
    # A change made while that sync ran (after its start) is read by the next sync, not skipped.
    hubspot_fake.scenario.update(hubspot_fake.scenario.early, amount="5000", at=end)
    run = connection_sync(connection=hubspot_connection)
    assert run.counts["deal"]["updated"] == 1
