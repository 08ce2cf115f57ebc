import pytest
from django.urls import reverse

from integrations.models import Connection, Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def _url(name, connection):
    return reverse(f"integrations:{name}", kwargs={"org_slug": connection.organization.slug,
                                                   "connection_id": connection.pk})


def test_pause_then_resume(client, acme_ceo, connection):
    client.force_login(acme_ceo.user)

    client.post(_url("connection_pause", connection))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.PAUSED

    client.post(_url("connection_resume", connection))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE


def test_disconnect_needs_a_confirmation(client, acme_ceo, connection):
    client.force_login(acme_ceo.user)

    response = client.post(_url("connection_disconnect", connection), {"records": "keep"})

    connection.refresh_from_db()
    assert response.status_code == 200 and connection.status == Connection.Status.ACTIVE


def test_disconnect_keeping_records_forgets_the_token_only(client, acme, acme_ceo, connection, fake):
    connection_sync(connection=connection)
    client.force_login(acme_ceo.user)

    client.post(_url("connection_disconnect", connection), {"records": "keep", "confirm": "on"})

    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED and connection.credentials == {}
    assert Invoice.objects.for_org(acme).count() == 31


def test_disconnect_purging_records_deletes_what_it_brought_in_and_nothing_else(client, acme, acme_ceo, connection,
                                                                                 fake):
    connection_sync(connection=connection)
    Invoice.objects.create(organization=acme, source="upload", external_id="u1", kind="customer",
                           issue_date="2026-01-01")
    client.force_login(acme_ceo.user)

    client.post(_url("connection_disconnect", connection), {"records": "purge", "confirm": "on"})

    assert list(Invoice.objects.for_org(acme).values_list("source", flat=True)) == ["upload"]
