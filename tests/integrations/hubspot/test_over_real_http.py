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


def test_an_oauth_token_is_refreshed_over_http_before_it_expires(acme, served):
    import json
    import time

    from integrations.models import Connection

    code = served.issue_code(redirect_uri="http://testserver/cb")
    _status, _headers, raw = served.handle(
        "POST", "/oauth/v1/token", {}, {"content-type": "application/x-www-form-urlencoded"},
        f"grant_type=authorization_code&code={code}&redirect_uri=http://testserver/cb"
        "&client_id=fake-client-id&client_secret=fake-client-secret".encode())
    tokens = json.loads(raw)
    served.log.clear()
    connection = Connection.objects.create(
        organization=acme, provider="hubspot", provider_account_id="7001",
        credentials={"auth": "oauth", "access_token": tokens["access_token"],
                     "refresh_token": tokens["refresh_token"], "expires_at": time.time() + 60})

    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert served.log[0].path == "/oauth/v1/token"
    connection.refresh_from_db()
    assert connection.credentials["access_token"] != tokens["access_token"]
    assert {r.token for r in served.log if r.path.startswith("/crm/")} == {connection.credentials["access_token"]}
