"""`manage.py fake_provider zoho` serves Verre & Lin's fake as a WSGI app; a sync runs through it."""

import httpx

from integrations.fakes.zoho import WsgiApp, ZohoFake, configured_hosts
from integrations.http import mount_transport
from integrations.models import Connection, Deal, SyncRun
from integrations.registry import FAKE_SERVERS
from integrations.services import connection_sync
from tests.integrations.zoho.conftest import acme_crm, zoho_credentials


def test_the_registered_fake_server_is_the_zoho_wsgi_app_with_a_refresh_token_to_print():
    from django.utils.module_loading import import_string

    app = import_string(FAKE_SERVERS["zoho"])()
    assert isinstance(app, WsgiApp)
    assert list(app.tokens.values()) == [f"Zoho org {app.fake.scenario.org_id} (refresh token)"]


def test_a_sync_through_the_wsgi_app_with_the_commands_fault_switches(acme, settings):
    fake = ZohoFake(scenario=acme_crm(), hosts=configured_hosts())
    app = WsgiApp(fake)
    app.faults.rate_limited = 2  # as `--fault rate_limited=2` does
    app.faults.server_errors = 1
    transport = httpx.WSGITransport(app=app)
    for accounts, api in settings.ZOHO_DATA_CENTRES.values():
        mount_transport(accounts, transport)
        mount_transport(api, transport)
    try:
        connection = Connection.objects.create(organization=acme, provider="zoho", credentials=zoho_credentials(fake),
                                               provider_account_id=fake.scenario.org_id)
        run = connection_sync(connection=connection)
    finally:
        for accounts, api in settings.ZOHO_DATA_CENTRES.values():
            mount_transport(accounts, None)
            mount_transport(api, None)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    assert [r.status for r in fake.log][:3] == [429, 429, 502]
