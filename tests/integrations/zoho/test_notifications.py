"""Zoho notifications are hints: with ZOHO_NOTIFICATIONS_ENABLED a sync subscribes the connection's
channel (renewed before its week runs out), and a notification carrying the channel's token queues one
incremental sync of that connection; a forged id or a wrong token queues nothing."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.http import ProviderError
from integrations.models import Connection, SyncRun
from integrations.providers.zoho.connector import ZohoConnector
from integrations.providers.zoho.webhooks import _renewed_key, channel_token, notify_id
from integrations.services import connection_sync
from tests.factories import make_org


@pytest.fixture
def notifications_on(settings, zoho_connection):
    settings.ZOHO_NOTIFICATIONS_ENABLED = True
    settings.SITE_URL = "https://pilotage.example"
    cache.delete(_renewed_key(zoho_connection))
    yield
    cache.delete(_renewed_key(zoho_connection))


def _notify(client, connection, *, token=None, signed_id=None, operation="update"):
    body = {"server_time": 1764658800000, "module": "Deals", "resource_uri": "https://www.zohoapis.eu/crm/v8/Deals",
            "ids": ["5725767000000123001"], "affected_fields": [], "operation": operation,
            "channel_id": str(connection.pk), "token": channel_token(connection) if token is None else token}
    path = reverse("zoho_notify", args=[signed_id or notify_id(connection)])
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_sync_subscribes_the_connections_channel_for_every_module(acme, zoho_connection, zoho_fake, notifications_on):
    connection_sync(connection=zoho_connection)

    channel = zoho_fake.watches[str(zoho_connection.pk)]
    assert channel["events"] == ["Accounts.all", "Contacts.all", "Leads.all", "Deals.all"]
    assert channel["token"] == channel_token(zoho_connection)
    assert channel["notify_url"] == "https://pilotage.example" + reverse("zoho_notify", args=[notify_id(zoho_connection)])
    expiry = datetime.fromisoformat(channel["channel_expiry"])
    assert datetime.now(UTC) + timedelta(days=6) < expiry <= datetime.now(UTC) + timedelta(days=7)


def test_the_channel_is_not_subscribed_again_until_its_renewal_is_due(acme, zoho_connection, zoho_fake,
                                                                       notifications_on):
    connection_sync(connection=zoho_connection)
    connection_sync(connection=zoho_connection)
    assert len(zoho_fake.requests_to("/crm/v8/actions/watch")) == 1

    cache.delete(_renewed_key(zoho_connection))  # four days on: the remembered renewal has lapsed
    connection_sync(connection=zoho_connection)
    assert len(zoho_fake.requests_to("/crm/v8/actions/watch")) == 2


def test_without_the_setting_no_channel_is_subscribed(acme, zoho_connection, zoho_fake, settings):
    settings.ZOHO_NOTIFICATIONS_ENABLED = False
    connection_sync(connection=zoho_connection)

    assert zoho_fake.requests_to("/crm/v8/actions/watch") == []


def test_a_notification_queues_one_incremental_sync_and_a_burst_still_one(client, acme, zoho_connection):
    responses = [_notify(client, zoho_connection, operation=op) for op in ("insert", "update", "update", "delete")]

    assert [r.status_code for r in responses] == [204, 204, 204, 204]
    runs = SyncRun.objects.for_org(acme).filter(connection=zoho_connection)
    assert runs.count() == 1
    assert runs.get().is_full is False


def test_a_wrong_token_is_refused_and_queues_nothing(client, acme, zoho_connection):
    response = _notify(client, zoho_connection, token="TOKEN_FOR_VERIFICATION_OF_SOMEONE_ELSE")

    assert response.status_code == 403
    assert not SyncRun.objects.for_org(acme).exists()


def test_another_connections_token_does_not_open_this_one(client, acme, zoho_connection):
    other = Connection.objects.create(organization=make_org(), provider="zoho", provider_account_id="20079999999",
                                      credentials={"auth": "oauth"})

    response = _notify(client, zoho_connection, token=channel_token(other))

    assert response.status_code == 403
    assert not SyncRun.objects.filter(connection__in=[zoho_connection, other]).exists()  # scoped: across tenants


def test_a_forged_or_unknown_connection_id_is_404_and_queues_nothing(client, acme, zoho_connection):
    forged = notify_id(zoho_connection)[:-3] + "abc"
    assert _notify(client, zoho_connection, signed_id=forged).status_code == 404

    zoho_connection_id = zoho_connection.pk
    signed = notify_id(zoho_connection)
    zoho_connection.delete()
    assert _notify(client, Connection(pk=zoho_connection_id, organization=acme), signed_id=signed).status_code == 404
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_paused_connection_is_not_woken(client, acme, zoho_connection):
    zoho_connection.status = Connection.Status.PAUSED
    zoho_connection.save(update_fields=["status"])

    assert _notify(client, zoho_connection).status_code == 204
    assert not SyncRun.objects.for_org(acme).exists()


def test_the_fake_refuses_a_channel_longer_than_a_week(zoho_fake, zoho_connection):
    too_long = (datetime.now(UTC) + timedelta(days=8)).isoformat()
    client = ZohoConnector(zoho_connection)._http()

    with pytest.raises(ProviderError) as refused:
        client.request("POST", "/actions/watch", json={"watch": [{
            "channel_id": 1, "events": ["Deals.all"], "notify_url": "https://x.example/", "channel_expiry": too_long}]})

    assert (refused.value.status, refused.value.error) == (400, "INVALID_DATA")
    assert zoho_fake.watches == {}
