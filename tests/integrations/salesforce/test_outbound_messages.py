"""Salesforce outbound messages are hints: a message from the connected org, posted to the connection's
signed endpoint, queues one incremental sync and is acknowledged (`<Ack>true</Ack>`, else Salesforce resends);
another org's message or a forged endpoint queues nothing and is never acknowledged."""

import pytest
from django.urls import reverse

from integrations.models import Connection, SyncRun
from integrations.providers.salesforce.webhooks import outbound_id, outbound_url

ACME_ORG = "00D5g000000ACMEEA2"


def _message(org_id=ACME_ORG, *, notifications=1) -> bytes:
    items = "".join(
        f"<Notification><Id>04l5g00000Gx7Q{i:04d}</Id>"
        f'<sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
        f"<sf:Id>0065g00000ZkM{i:05d}</sf:Id><sf:StageName>Closed Won</sf:StageName></sObject></Notification>"
        for i in range(notifications))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{org_id}</OrganizationId><ActionId>04k5g000000CaRkAAK</ActionId>"
        '<SessionId xsi:nil="true"/><EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0</EnterpriseUrl>'
        "<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0</PartnerUrl>"
        f"{items}</notifications></soapenv:Body></soapenv:Envelope>").encode()


def _post(client, connection, body, *, signed_id=None):
    path = reverse("salesforce_outbound_message", args=[signed_id or outbound_id(connection)])
    return client.post(path, data=body, content_type="text/xml; charset=utf-8", headers={"SOAPAction": '""'})


def test_a_message_from_the_connected_org_queues_one_incremental_sync_and_is_acknowledged(
        client, acme, salesforce_connection):
    response = _post(client, salesforce_connection, _message(notifications=3))

    assert response.status_code == 200
    assert b"<Ack>true</Ack>" in response.content and b"notificationsResponse" in response.content
    run = SyncRun.objects.for_org(acme).get(connection=salesforce_connection)
    assert run.is_full is False


def test_a_burst_of_messages_queues_one_sync(client, acme, salesforce_connection):
    for _ in range(5):
        assert _post(client, salesforce_connection, _message()).status_code == 200

    assert SyncRun.objects.for_org(acme).filter(connection=salesforce_connection).count() == 1


def test_the_15_character_org_id_is_the_same_org(client, acme, salesforce_connection):
    assert _post(client, salesforce_connection, _message(ACME_ORG[:15])).status_code == 200
    assert SyncRun.objects.for_org(acme).count() == 1


@pytest.mark.parametrize("org_id", ["00D5g000000OTHEREA", "00D5g000000acmeEA2", ""])
def test_another_orgs_message_is_refused_and_queues_nothing(client, acme, salesforce_connection, org_id):
    response = _post(client, salesforce_connection, _message(org_id))

    assert response.status_code == 403
    assert b"Ack" not in response.content
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_forged_endpoint_is_404_and_queues_nothing(client, acme, salesforce_connection):
    forged = outbound_id(salesforce_connection)[:-3] + "xyz"

    assert _post(client, salesforce_connection, _message(), signed_id=forged).status_code == 404
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_body_that_is_not_an_outbound_message_is_refused(client, acme, salesforce_connection):
    entity_bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                   b'<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>&lol;'
                   b'</OrganizationId></notifications>')
    for body in (b"not xml", b"<a/>", entity_bomb):
        assert _post(client, salesforce_connection, body).status_code == 400
    assert not SyncRun.objects.for_org(acme).exists()


def test_a_paused_connection_is_acknowledged_but_not_woken(client, acme, salesforce_connection):
    salesforce_connection.status = Connection.Status.PAUSED
    salesforce_connection.save(update_fields=["status"])

    assert b"<Ack>true</Ack>" in _post(client, salesforce_connection, _message()).content
    assert not SyncRun.objects.for_org(acme).exists()


def test_the_endpoint_url_is_stable_and_under_the_site_url(settings, salesforce_connection):
    settings.SITE_URL = "https://pilotage.example/"

    url = outbound_url(salesforce_connection)

    assert url.startswith("https://pilotage.example/integrations/salesforce/outbound/")
    assert url == outbound_url(salesforce_connection)


def test_the_connection_page_shows_the_endpoint_to_those_who_manage_it_only(client, acme, salesforce_connection):
    from accounts.capabilities import Role
    from tests.factories import make_member

    page = reverse("integrations:connection_detail", kwargs={"org_slug": acme.slug,
                                                             "connection_id": salesforce_connection.pk})
    client.force_login(make_member(acme, role=Role.CEO, email="ceo@acme.test").user)
    assert outbound_id(salesforce_connection) in client.get(page).content.decode()

    client.force_login(make_member(acme, role=Role.CXO, email="cxo@acme.test").user)  # may view, not manage
    response = client.get(page)
    assert response.status_code == 200
    assert outbound_id(salesforce_connection) not in response.content.decode()
