"""The same sync over real HTTP on 127.0.0.1 (the fake as a server), not only in-process."""

import pytest

from integrations.fakes.hubspot import Fault
from integrations.models import Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync


@pytest.fixture
def served(hubspot_fake, settings):
    server = hubspot_fake.serve(port=0)
    settings.HUBSPOT_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield hubspot_fake
    server.shutdown()
    server.server_close()


def test_full_then_incremental_sync_over_http(acme, hubspot_connection, served):
    first = connection_sync(connection=hubspot_connection)
    assert first.state == SyncRun.State.DONE, first.errors
    assert (CrmCompany.objects.for_org(acme).count(), Contact.objects.for_org(acme).count(),
            Lead.objects.for_org(acme).count(), Deal.objects.for_org(acme).count()) == (2, 2, 2, 3)
    served.scenario.update(served.scenario.early, amount="4200")
    served.scenario.archive(served.scenario.bruno)

    second = connection_sync(connection=hubspot_connection)

    assert second.counts["deal"]["updated"] == 1
    assert second.counts["contact"]["deleted"] == 1
    assert Deal.objects.for_org(acme).get(external_id=str(served.scenario.early.id)).amount == 4200
    assert all(r.token == "pat-eu1-acme-private-app" for r in served.log if r.path.startswith("/crm/"))


def test_429_and_503_over_http_are_retried(acme, hubspot_connection, served):
    served.faults += [Fault(status=429, times=3, path="/crm/v3/objects/contacts/search"),
                      Fault(status=503, path="/crm/v4/")]

    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Contact.objects.for_org(acme).count() == 2
    assert [r.status for r in served.log].count(429) == 3
