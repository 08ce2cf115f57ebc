import pytest

from integrations.models import Customer, Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_an_invoice_deleted_in_pennylane_becomes_a_tombstone(connection, book, any_fake):
    connection_sync(connection=connection)
    victim = next(iter(book.objects["customer_invoices"]))
    any_fake.delete(book.company_id, "customer_invoices", victim)

    run = connection_sync(connection=connection)

    stored = Invoice.objects.for_org(connection.organization).get(external_id=str(victim))
    assert stored.is_deleted is True
    assert run.counts["invoice"]["deleted"] == 1
    assert Invoice.objects.for_org(connection.organization).filter(is_deleted=False, kind="customer").count() == 29


def test_a_full_reconciliation_tombstones_what_vanished_without_a_changelog_entry(connection, book, any_fake):
    connection_sync(connection=connection)
    # A customer vanishes with no changelog entry (drift): only a full listing can notice it.
    gone = next(iter(book.objects["customers"]))
    del book.objects["customers"][gone]

    run = connection_sync(connection=connection, full=True)

    assert Customer.objects.for_org(connection.organization).get(external_id=str(gone)).is_deleted is True
    assert run.counts["customer"]["deleted"] == 1
