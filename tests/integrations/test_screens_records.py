import pytest
from django.urls import reverse

from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_the_records_browser_shows_synced_invoices_newest_first_in_bounded_queries(
        client, acme, alice, connection, book, fake, django_assert_max_num_queries):
    connection_sync(connection=connection)
    client.force_login(alice.user)
    newest = max(book.objects["customer_invoices"].values(), key=lambda o: o["date"])

    with django_assert_max_num_queries(16):
        response = client.get(reverse("integrations:record_list", kwargs={"org_slug": "acme"}), {"type": "invoice"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "31 records" in body
    assert body.index(newest["invoice_number"]) < body.index("Supplier One")


def test_an_unknown_record_type_is_a_404(client, acme, alice):
    client.force_login(alice.user)
    response = client.get(reverse("integrations:record_list", kwargs={"org_slug": "acme"}), {"type": "user"})
    assert response.status_code == 404
