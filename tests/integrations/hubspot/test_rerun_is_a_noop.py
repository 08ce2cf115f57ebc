"""Running a sync again with nothing changed at HubSpot changes nothing here."""

from integrations.models import Contact, CrmCompany, Deal, Lead
from integrations.services import connection_sync


def _snapshot(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (CrmCompany, Contact, Deal, Lead)}


def test_second_sync_creates_and_updates_nothing(acme, hubspot_connection):
    connection_sync(connection=hubspot_connection)
    before = _snapshot(acme)

    run = connection_sync(connection=hubspot_connection)

    assert run.total("created") == 0
    assert run.total("updated") == 0
    assert run.total("deleted") == 0
    assert _snapshot(acme) == before


def test_a_full_resync_finds_everything_unchanged(acme, hubspot_connection):
    connection_sync(connection=hubspot_connection)

    run = connection_sync(connection=hubspot_connection, full=True)

    assert run.total("created") == 0 and run.total("updated") == 0
    assert run.total("unchanged") == 2 + 2 + 2 + 3  # companies, contacts, leads, deals
