"""A sync killed after a few calls and run again gives exactly the rows of a clean sync: each page's
cursor (the page reached, the last journal number) was stored with its records."""

import pytest

from integrations.fakes.hubspot import SimulatedCrash
from integrations.models import Customer, Invoice, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.xero.conftest import xero_connection


def _rows(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (Customer, Invoice, Payment, LedgerLine)}


@pytest.mark.parametrize("calls", [2, 5, 8])
def test_sync_killed_after_some_calls_then_rerun_equals_a_clean_sync(acme, xero_fake, settings, calls):
    settings.XERO_PAGE_SIZE = 5  # more pages, more places to die
    connection = xero_connection(acme)
    xero_fake.crash_after = calls
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    assert interrupted.state == SyncRun.State.RUNNING  # the worker died holding it

    rerun = connection_sync(connection=connection, run=interrupted)

    clean_org = make_org()
    connection_sync(connection=xero_connection(clean_org))
    assert rerun.state == SyncRun.State.DONE, rerun.errors
    assert _rows(acme) == _rows(clean_org)
    assert len(_rows(acme)["LedgerLine"]) == sum(len(j["JournalLines"]) for j in xero_fake.tenant.journals)
