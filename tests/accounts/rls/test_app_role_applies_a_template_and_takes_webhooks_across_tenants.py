"""As the app role, the other paths that cross tenants on purpose: a consultant applies a template of the
consultancy's library to two clients from the consultancy's page (each objective lands in its client's
tenant), and a HubSpot webhook, which names a hub and not a tenant, queues a sync in every tenant
connected to that hub."""

from datetime import date

import pytest

from accounts import rls
from accounts.capabilities import Role
from integrations import services as integration_services
from integrations.models import SyncRun
from integrations.providers.hubspot.webhooks import hubspot_hubs_sync_enqueue
from objectives import services
from objectives.models import Objective
from tests.factories import make_engagement, make_member, make_org
from tests.integrations.conftest import make_connection
from tests.objectives.helpers import make_objective

pytestmark = pytest.mark.services


def test_a_template_applied_from_the_consultancy_lands_in_each_clients_tenant(acme, capfirm, as_app_role):
    consultant = make_member(capfirm, role=Role.COO)
    source = make_engagement(client=acme, consultant=consultant, role=Role.CFO).membership
    template = services.template_save(by=source, name="Margin", objectives=[make_objective(acme, title="Margin")])
    first, second = (make_engagement(client=make_org(), consultant=consultant, role=Role.CFO).membership
                     for _ in range(2))
    with as_app_role():
        with rls.org_context(capfirm):  # the consultancy's templates page
            services.template_apply(template=template, memberships=[first, second],
                                    period_start=date(2027, 1, 1), period_end=date(2027, 3, 31))
    for membership in (first, second):
        assert Objective.objects.for_org(membership.organization).get().title == "Margin"


def test_a_hubspot_webhook_queues_a_sync_in_every_tenant_on_that_hub(acme, globex, as_app_role, monkeypatch):
    monkeypatch.setattr(integration_services, "sync_run_dispatch", lambda run_id: None)
    make_connection(acme, provider="hubspot", account_id="4242")
    make_connection(globex, provider="hubspot", account_id="4242")
    make_connection(make_org(), provider="hubspot", account_id="9999")
    with as_app_role():
        runs = hubspot_hubs_sync_enqueue(hub_ids={"4242"})
    assert {r.organization_id for r in runs} == {acme.pk, globex.pk}
    assert SyncRun.objects.count() == 2
