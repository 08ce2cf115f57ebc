"""A sync killed after a few batches and run again gives exactly the rows of a clean sync."""

import pytest

from integrations.fakes.salesforce import Fault, SimulatedCrash
from integrations.fakes.salesforce_scenario import SalesforceScenario
from integrations.models import Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.salesforce.conftest import connection_to


def _rows(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (CrmCompany, Contact, Deal, Lead)}


@pytest.mark.parametrize("skip", [2, 6, 11])
def test_sync_killed_after_some_batches_then_rerun_equals_a_clean_sync(acme, salesforce_fake, skip):
    salesforce_fake.scenario = SalesforceScenario.boisfin(seed=7)
    salesforce_fake.batch_size = 25
    connection = connection_to(acme, salesforce_fake)
    salesforce_fake.faults.append(Fault(path="/services/data/", crash=True, skip=skip))
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    assert interrupted.state == SyncRun.State.RUNNING

    rerun = connection_sync(connection=connection, run=interrupted)

    clean_org = make_org()
    connection_sync(connection=connection_to(clean_org, salesforce_fake))
    assert rerun.state == SyncRun.State.DONE, rerun.errors
    assert _rows(acme) == _rows(clean_org)
    assert len(_rows(acme)["Lead"]) == 100
