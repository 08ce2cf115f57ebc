"""`manage.py fake_provider hubspot` serves the demo's fake as a WSGI app; a sync runs against it."""

import httpx

from integrations.fakes.hubspot import DEMO_TOKEN, HubSpotFake, WsgiApp
from integrations.http import mount_transport
from integrations.models import Connection, Deal, SyncRun
from integrations.registry import FAKE_SERVERS
from integrations.services import connection_sync
from tests.integrations.hubspot.conftest import acme_crm


def test_the_registered_fake_server_is_the_hubspot_wsgi_app():
    from django.utils.module_loading import import_string

    app = import_string(FAKE_SERVERS["hubspot"])()
    assert isinstance(app, WsgiApp)
    assert app.tokens == {DEMO_TOKEN: f"hub {app.fake.scenario.hub_id}"}


def test_a_sync_through_the_wsgi_app_with_the_commands_fault_switches(acme, settings):
    fake = HubSpotFake(scenario=acme_crm())
    token = fake.add_private_token()
    app = WsgiApp(fake)
    app.faults.rate_limited = 2  # as `--fault rate_limited=2` does
    app.faults.server_errors = 1
    mount_transport(settings.HUBSPOT_API_BASE_URL, httpx.WSGITransport(app=app))
    try:
        connection = Connection.objects.create(organization=acme, provider="hubspot",
                                               credentials={"token": token}, provider_account_id="7001")
        run = connection_sync(connection=connection)
    finally:
        mount_transport(settings.HUBSPOT_API_BASE_URL, None)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    assert [r.status for r in fake.log][:3] == [429, 429, 502]
