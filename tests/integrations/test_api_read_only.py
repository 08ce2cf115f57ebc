import pytest
from django.urls import reverse

from integrations.models import SyncRun
from tests.factories import make_org
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db


def test_the_api_lists_connections_without_credentials_and_their_sync_runs(client, acme, alice, connection):
    run = SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE,
                                 counts={"invoice": {"created": 2}})
    client.force_login(alice.user)

    connections = client.get(reverse("api:connection-list", kwargs={"org_slug": "acme"})).json()
    runs = client.get(reverse("api:syncrun-list", kwargs={"org_slug": "acme"}),
                      {"connection": connection.pk}).json()

    assert [c["id"] for c in connections["results"]] == [connection.pk]
    assert "credentials" not in connections["results"][0]
    assert [r["id"] for r in runs["results"]] == [run.pk]
    assert runs["results"][0]["counts"] == {"invoice": {"created": 2}}


def test_filtering_runs_by_another_tenants_connection_returns_nothing(client, acme, alice, connection):
    stranger = make_connection(make_org())
    SyncRun.objects.create(organization=stranger.organization, connection=stranger)
    client.force_login(alice.user)

    runs = client.get(reverse("api:syncrun-list", kwargs={"org_slug": "acme"}), {"connection": stranger.pk})

    assert runs.status_code == 200 and runs.json()["results"] == []


def test_the_api_is_read_only(client, acme, acme_ceo, connection):
    client.force_login(acme_ceo.user)
    response = client.post(reverse("api:connection-list", kwargs={"org_slug": "acme"}), {"provider": "pennylane"},
                           content_type="application/json")
    assert response.status_code == 405
