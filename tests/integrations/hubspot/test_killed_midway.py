"""A sync killed after a few pages and run again gives exactly the rows of a clean sync."""

import pytest

from integrations.fakes.hubspot import Fault, SimulatedCrash
from integrations.fakes.hubspot_scenario import HubSpotScenario
from integrations.models import Connection, Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.hubspot.conftest import TOKEN


def _rows(org):
    return {
        m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
        for m in (CrmCompany, Contact, Deal, Lead)
    }


@pytest.fixture
def nuage_fake(hubspot_fake, settings):
    settings.HUBSPOT_SEARCH_PAGE_SIZE = 50  # more pages, more places to die
    hubspot_fake.scenario = HubSpotScenario.nuage(seed=7, malformed=False)
    hubspot_fake.scenario.hub_id = 7001
    return hubspot_fake


@pytest.mark.parametrize("skip", [1, 5, 9])
def test_sync_killed_after_some_pages_then_rerun_equals_a_clean_sync(acme, nuage_fake, skip):
    connection = Connection.objects.create(organization=acme, provider="hubspot", credentials={"token": TOKEN},
                                           provider_account_id="7001")
    nuage_fake.faults.append(Fault(path="/crm/v3/objects/", crash=True, skip=skip))
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    assert interrupted.state == SyncRun.State.RUNNING  # the worker died holding it

    rerun = connection_sync(connection=connection, run=interrupted)

    clean_org = make_org()
    clean = Connection.objects.create(organization=clean_org, provider="hubspot", credentials={"token": TOKEN},
                                      provider_account_id="7001")
    connection_sync(connection=clean)
    assert rerun.state == SyncRun.State.DONE
    assert _rows(acme) == _rows(clean_org)
    assert len(_rows(acme)["Deal"]) == len(nuage_fake.scenario.live("deals"))
