"""`manage.py fake_provider salesforce` serves the demo's fake as a WSGI app; a sync runs against it,
with the command's fault switches."""

import httpx

from integrations.fakes.salesforce import SalesforceFake, WsgiApp
from integrations.http import mount_transport
from integrations.models import Deal, SyncRun
from integrations.registry import FAKE_SERVERS
from integrations.services import connection_sync
from tests.integrations.salesforce.conftest import INSTANCE, acme_org, connection_to


def test_the_registered_fake_server_is_the_salesforce_wsgi_app():
    from django.utils.module_loading import import_string

    app = import_string(FAKE_SERVERS["salesforce"])()
    assert isinstance(app, WsgiApp)
    [(token, org)] = app.tokens.items()
    assert org == f"org {app.fake.scenario.org_id}" and token in app.fake.tokens


def test_a_sync_through_the_wsgi_app_with_the_commands_fault_switches(acme, settings):
    fake = SalesforceFake(scenario=acme_org(), instance_url=INSTANCE)
    app = WsgiApp(fake)
    app.faults.server_errors = 2  # as `--fault server_errors=2` does
    app.faults.batch_size = 1
    mount_transport(INSTANCE, httpx.WSGITransport(app=app))
    try:
        run = connection_sync(connection=connection_to(acme, fake))
    finally:
        mount_transport(INSTANCE, None)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Deal.objects.for_org(acme).count() == 3
    assert [r.status for r in fake.log][:3] == [503, 503, 200]
    assert any("/query/01g" in r.path for r in fake.log)
