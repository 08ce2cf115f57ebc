"""HubSpot webhooks are hints: a correctly signed, recent batch queues a sync of every connection to
the hub it names; anything unsigned, mis-signed or replayed later is refused."""

import json
import time

from django.urls import reverse

from integrations.models import Connection, SyncRun
from integrations.providers.hubspot.webhooks import signature_v3
from tests.factories import make_org


def _post(client, settings, events, *, secret=None, timestamp=None, signature=None):
    body = json.dumps(events).encode()
    path = reverse("hubspot_webhook")
    timestamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
    signature = signature or signature_v3(secret=secret or settings.HUBSPOT_CLIENT_SECRET, method="POST",
                                          uri=settings.SITE_URL + path, body=body, timestamp=timestamp)
    return client.post(path, data=body, content_type="application/json",
                       headers={"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp})


def _event(portal_id=7001, **extra):
    return {"eventId": 1, "subscriptionId": 9, "portalId": portal_id, "appId": 4242, "occurredAt": 1,
            "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": 1006,
            "propertyName": "dealstage", "propertyValue": "closedwon", **extra}


def test_a_signed_batch_queues_one_sync_per_connection_of_that_hub(client, settings, acme, hubspot_connection):
    other_tenant = make_org()
    Connection.objects.create(organization=other_tenant, provider="hubspot", provider_account_id="7001",
                              credentials={"token": "pat-eu1-other"})
    Connection.objects.create(organization=other_tenant, provider="hubspot", provider_account_id="9999",
                              credentials={"token": "pat-eu1-unrelated"})

    response = _post(client, settings, [_event(), _event(eventId=2, objectId=1007)])

    assert response.status_code == 204
    queued = SyncRun.objects.filter(state=SyncRun.State.QUEUED)  # scoped: the test looks across tenants
    assert sorted(r.connection.provider_account_id for r in queued) == ["7001", "7001"]
    assert SyncRun.objects.for_org(acme).count() == 1


def test_a_second_batch_while_a_sync_is_queued_adds_nothing(client, settings, acme, hubspot_connection):
    _post(client, settings, [_event()])
    _post(client, settings, [_event(eventId=3)])

    assert SyncRun.objects.for_org(acme).count() == 1


def test_a_wrong_signature_is_refused(client, settings, acme, hubspot_connection):
    response = _post(client, settings, [_event()], secret="not-the-app-secret")

    assert response.status_code == 401
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_batch_older_than_five_minutes_is_refused_even_if_signed(client, settings, acme, hubspot_connection):
    six_minutes_ago = int(time.time() * 1000) - 6 * 60 * 1000

    response = _post(client, settings, [_event()], timestamp=six_minutes_ago)

    assert response.status_code == 401
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_paused_connection_is_not_woken_by_a_webhook(client, settings, acme, hubspot_connection):
    hubspot_connection.status = Connection.Status.PAUSED
    hubspot_connection.save(update_fields=["status"])

    assert _post(client, settings, [_event()]).status_code == 204
    assert not SyncRun.objects.for_org(acme).exists()
