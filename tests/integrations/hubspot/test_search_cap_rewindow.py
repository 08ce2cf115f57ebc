"""HubSpot's search stops at 10,000 results: the connector starts a new query from the last value seen
before paging reaches the cap, and loses nothing."""

from integrations.models import Connection
from integrations.providers.hubspot import HubSpotConnector
from tests.integrations.hubspot.conftest import TOKEN, at


def _contact_ids(connector: HubSpotConnector) -> list[str]:
    ids = []
    for page in connector.fetch(cursors={}):
        ids += [r.external_id for r in page.records if r.model == "contact"]
    return ids


def _connector(acme) -> HubSpotConnector:
    connection = Connection(organization=acme, provider="hubspot", credentials={"token": TOKEN},
                            provider_account_id="7001")
    return HubSpotConnector(connection)


def test_ten_thousand_five_hundred_changed_contacts_are_all_read_without_a_400(acme, hubspot_fake, settings):
    settings.HUBSPOT_SEARCH_WINDOW = 10_000  # page with `after` as far as HubSpot allows
    hubspot_fake.scenario.bulk_contacts(10_500, start=at(2026, 1, 1), step_ms=1000)
    expected = {str(o.id) for o in hubspot_fake.scenario.live("contacts")}

    ids = _contact_ids(_connector(acme))

    assert set(ids) == expected
    assert len(ids) == len(expected)  # and none twice
    searches = hubspot_fake.requests_to("/crm/v3/objects/contacts/search")
    assert all(r.status == 200 for r in searches)
    assert max(int(r.body.get("after", 0)) for r in searches) < 10_000
    windows = [r.body["filterGroups"][0]["filters"][0]["value"] for r in searches if "after" not in r.body]
    assert len(windows) == 2  # the first query, and one new query from the last value seen
    assert max(int(r.body.get("after", 0)) for r in searches) == 9_800  # the last page before the cap


def test_contacts_edited_while_the_sync_pages_through_them_are_not_skipped(acme, hubspot_fake, settings):
    # With the default window (one page per query), an edit that moves a record out of the result set
    # cannot shift the next record past the page boundary.
    hubspot_fake.scenario.bulk_contacts(600, start=at(2026, 1, 1))
    expected = {str(o.id) for o in hubspot_fake.scenario.live("contacts")}
    first_three = sorted(hubspot_fake.scenario.live("contacts"), key=lambda o: o.updated_ms)[:3]

    def edit_after_first_page(request):
        if request.path.endswith("/contacts/search") and len(hubspot_fake.requests_to("/crm/v3/objects/contacts/s")) == 1:
            for contact in first_three:  # a user edits them now: they leave this sync's window
                hubspot_fake.scenario.update(contact, lifecyclestage="lead")

    hubspot_fake.on_request = edit_after_first_page

    ids = set(_contact_ids(_connector(acme)))

    assert ids == expected


def test_contacts_sharing_one_timestamp_beyond_the_cap_are_walked_by_id(acme, hubspot_fake, settings):
    # An import: more contacts modified in the same millisecond than one search may return.
    # (A cap of 1,000 on both sides keeps the test quick; the logic is the same at 10,000.)
    hubspot_fake.search_cap = settings.HUBSPOT_SEARCH_RESULT_CAP = 1_000
    hubspot_fake.scenario.bulk_contacts(1_300, start=at(2026, 2, 1), step_ms=1000, same_ms_every=1_300)
    expected = {str(o.id) for o in hubspot_fake.scenario.live("contacts")}

    ids = _contact_ids(_connector(acme))

    assert set(ids) == expected
    searches = hubspot_fake.requests_to("/crm/v3/objects/contacts/search")
    assert all(r.status == 200 for r in searches)
    assert max(int(r.body.get("after", 0)) for r in searches) < 1_000
    by_id = [r for r in searches if r.body["sorts"][0]["propertyName"] == "hs_object_id"]
    assert by_id  # the tie-break query: same instant, ids ascending
    assert by_id[0].body["filterGroups"][0]["filters"][0]["operator"] == "EQ"
