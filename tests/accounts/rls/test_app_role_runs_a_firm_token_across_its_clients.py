"""As the app role, a consultancy's Pennylane firm token works across its clients: mapped from the
consultancy's context, the child connection lives in the client's tenant, syncs there with the firm's
token, and the consultancy still lists it; the client's records stay the client's."""

import pytest

from accounts import rls
from integrations.models import Invoice, SyncRun
from integrations.selectors import firm_children_for
from integrations.services import connection_connect, firm_company_map
from integrations.tasks import sync_run_execute_task
from tests.integrations.test_firm_token_maps_two_clients import FIRM_TOKEN, firm_world  # noqa: F401 (fixture)

pytestmark = pytest.mark.services


def test_a_firm_mapping_syncs_into_the_clients_tenant(capfirm, acme, carol, firm_world, as_app_role):  # noqa: F811
    firm = connection_connect(org=capfirm, provider="pennylane_firm", credentials={"token": FIRM_TOKEN}, by=carol)
    with as_app_role():
        with rls.org_context(capfirm):  # the consultancy's integrations page
            child = firm_company_map(firm=firm, company_id="8001", client=acme, by=carol)
        with rls.org_context(acme):
            run = SyncRun.objects.create(organization=acme, connection=child)
        sync_run_execute_task.delay(run.pk)
        with rls.org_context(capfirm):
            listed = list(firm_children_for(capfirm, firm=firm))
    run.refresh_from_db()
    assert run.state == SyncRun.State.DONE, run.errors
    assert child.organization_id == acme.pk and listed == [child]
    assert Invoice.objects.for_org(acme).filter(kind="customer").count() == 4
    assert not Invoice.objects.for_org(capfirm).exists()
