"""The records browser is for whoever sees integrations; cost detail stays with those who see costs.

An Admin or a CRO browses sales and customers; the ledger, the bank, purchase invoices and what paid
them are cost detail (`kpis.view_costs`) — on the page, in its tabs and in its downloads.
"""

import pytest
from django.urls import reverse

from accounts.capabilities import Role
from integrations.services import connection_sync
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _records(client, member, record_type, **params):
    client.force_login(member.user)
    return client.get(reverse("integrations:record_list", kwargs={"org_slug": "acme"}), {"type": record_type, **params})


def _download(response) -> str:
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


@pytest.fixture
def synced(connection, fake):
    connection_sync(connection=connection)


def test_an_admin_browses_customer_invoices_but_no_supplier_invoice(client, acme, synced):
    admin = make_member(acme, role=Role.ADMIN)

    body = _records(client, admin, "invoice").content.decode()

    assert "Customer invoice" in body
    assert "Supplier One" not in body and "Supplier invoice" not in body


def test_the_ledger_and_the_bank_are_not_browsable_without_costs(client, acme, synced):
    cro = make_member(acme, role=Role.CRO)

    tabs = _records(client, cro, "invoice").content.decode()
    assert _records(client, cro, "ledgerline").status_code == 404
    assert _records(client, cro, "banktransaction").status_code == 404
    assert _records(client, cro, "ledgerline", export="csv").status_code == 404
    assert "?type=ledgerline" not in tabs and "?type=banktransaction" not in tabs
    assert "?type=customer" in tabs


def test_a_download_without_costs_leaves_purchases_out(client, acme, synced):
    admin = make_member(acme, role=Role.ADMIN)

    invoices = _download(_records(client, admin, "invoice", export="csv"))
    payments = _download(_records(client, admin, "payment", export="csv"))

    assert "Customer invoice" in invoices and "Supplier" not in invoices
    assert "Supplier" not in payments


def test_the_cfo_browses_everything(client, acme, alice, synced):
    assert "Supplier One" in _records(client, alice, "invoice").content.decode()
    assert _records(client, alice, "ledgerline").status_code == 200
