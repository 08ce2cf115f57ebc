"""The served fake (`make demo`, `manage.py fake_provider hubspot`) holds what the connector was written
for: archived records, a search cap its contacts exceed, HubSpot's per-second search limit. The
connector, with its shipped search budget, syncs it whole, re-windowing before the cap."""

from datetime import date

import pytest

from integrations.fakes.hubspot import DEMO_SEARCH_CAP, DEMO_TOKEN, default_fake
from integrations.http import mount_transport
from integrations.models import Connection, Contact, SyncRun
from integrations.services import connection_sync


@pytest.fixture
def served_fake(settings):
    fake = default_fake(seed=42, today=date(2026, 11, 23))
    fake.evolve_every = None  # the account holds still while the test counts
    mount_transport(settings.HUBSPOT_API_BASE_URL, fake.transport())
    yield fake
    mount_transport(settings.HUBSPOT_API_BASE_URL, None)


def test_the_served_account_holds_archived_records_and_outgrows_its_search_cap(served_fake):
    scenario = served_fake.scenario

    assert scenario.archived("contacts") and scenario.archived("deals")
    assert len(scenario.live("contacts")) > DEMO_SEARCH_CAP == served_fake.search_cap
    assert served_fake.limits.search_per_second == 4


def test_paging_up_to_the_served_cap_rewindows_and_reads_every_contact(acme, served_fake, settings):
    settings.HUBSPOT_SEARCH_WINDOW = settings.HUBSPOT_SEARCH_RESULT_CAP = DEMO_SEARCH_CAP
    settings.HUBSPOT_SEARCH_RATE_LIMIT = (4, 1)  # the shipped budget, against the fake's 4/s
    connection = Connection.objects.create(organization=acme, provider="hubspot", credentials={"token": DEMO_TOKEN},
                                           provider_account_id=str(served_fake.scenario.hub_id))

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Contact.objects.for_org(acme).count() == len(served_fake.scenario.live("contacts"))
    searches = served_fake.requests_to("/crm/v3/objects/contacts/search")
    assert 400 not in [r.status for r in searches]
    assert {r.body.get("after") for r in searches} >= {None, "200"}  # paged within the cap, then a new query
    assert max(int(r.body.get("after") or 0) for r in searches) < DEMO_SEARCH_CAP

