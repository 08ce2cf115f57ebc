"""A sync killed in the middle of a long listing resumes from its page token and gives exactly the
rows of a clean sync."""

import pytest

from integrations.fakes.hubspot import Fault, SimulatedCrash
from integrations.models import Connection, Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.zoho.conftest import at, zoho_credentials


def _rows(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (CrmCompany, Contact, Deal, Lead)}


@pytest.mark.parametrize("skip", [3, 11])
def test_sync_killed_after_some_pages_then_rerun_equals_a_clean_sync(acme, zoho_connection, zoho_fake, skip):
    zoho_fake.scenario.bulk_accounts(2_300, created=at(2026, 3, 1, 9))
    zoho_fake.faults.append(Fault(path="/crm/v8/Accounts", crash=True, skip=skip))
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=zoho_connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    assert interrupted.state == SyncRun.State.RUNNING  # the worker died holding it
    before = len(zoho_fake.requests_to("/crm/v8/Accounts"))

    rerun = connection_sync(connection=zoho_connection, run=interrupted)

    assert rerun.state == SyncRun.State.DONE, rerun.errors
    resumed = zoho_fake.requests_to("/crm/v8/Accounts")[before:]
    assert len(resumed) == 12 - skip  # 12 pages in all: from the page that died, not from the first
    clean_org = make_org()
    clean = Connection.objects.create(organization=clean_org, provider="zoho", credentials=zoho_credentials(zoho_fake),
                                      provider_account_id=zoho_fake.scenario.org_id)
    connection_sync(connection=clean)
    assert _rows(acme) == _rows(clean_org)
    assert len(_rows(acme)["CrmCompany"]) == 2_302
