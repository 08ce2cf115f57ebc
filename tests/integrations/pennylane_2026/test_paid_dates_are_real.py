"""paid_date and payments come from the invoice's settlements, not from its last update."""

from datetime import date
from decimal import Decimal as D

import pytest

from integrations.fakes.pennylane import _error
from integrations.models import Invoice, Payment
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def _invoice(org, book, number_of):
    return Invoice.objects.for_org(org).get(external_id=str(number_of["id"]))


def _by_amount(book, amount: str):
    return next(o for o in book.objects["customer_invoices"].values() if o["amount"] == amount)


def test_a_payment_made_in_march_and_recorded_in_april_is_dated_in_march(connection, fake, book):
    connection_sync(connection=connection)
    c = _invoice(connection.organization, book, _by_amount(book, "600.00"))
    assert c.paid_date == date(2026, 3, 31)


def test_an_invoice_edited_after_payment_keeps_its_paid_date(connection, fake, book):
    connection_sync(connection=connection)
    a = _by_amount(book, "1200.00")
    fake.upsert(book.company_id, "customer_invoices", {**a, "label": "Facture corrigée"})

    connection_sync(connection=connection)

    assert _invoice(connection.organization, book, a).paid_date == date(2026, 3, 20)


def test_a_supplier_invoice_edited_after_payment_is_dated_by_its_bank_transfer(connection, fake, book):
    connection_sync(connection=connection)
    s = next(o for o in book.objects["supplier_invoices"].values())
    invoice = _invoice(connection.organization, book, s)
    assert invoice.kind == "supplier" and invoice.paid_date == date(2026, 3, 12)  # not its edit on 9 April
    assert list(Payment.objects.for_org(connection.organization).filter(invoice=invoice)
                .values_list("kind", "date", "amount")) == [("bank", date(2026, 3, 12), D("600.00"))]


def test_a_partial_payment_is_a_payment_and_leaves_the_invoice_open(connection, fake, book):
    connection_sync(connection=connection)
    b = _invoice(connection.organization, book, _by_amount(book, "2400.00"))
    assert b.paid_date is None and b.remaining_amount_incl_tax == D("1400.00")
    assert list(Payment.objects.for_org(connection.organization).filter(invoice=b)
                .values_list("kind", "date", "amount")) == [("bank", date(2026, 3, 5), D("1000.00"))]


def test_a_credit_note_settles_the_invoice_it_credits(connection, fake, book):
    connection_sync(connection=connection)
    f = _invoice(connection.organization, book, _by_amount(book, "1800.00"))
    assert list(Payment.objects.for_org(connection.organization).filter(invoice=f)
                .values_list("kind", "date", "amount")) == [("credit_note", date(2026, 3, 10), D("600.00"))]


def test_drafts_cancelled_and_archived_invoices_are_kept_with_their_status_but_void(connection, fake, book):
    connection_sync(connection=connection)
    org = connection.organization
    void = dict(Invoice.objects.for_org(org).filter(is_void=True).values_list("status", "amount_incl_tax"))
    # the cancelled invoice's credit note is void with it
    assert void == {"draft": D("10800.00"), "cancelled": D("3600.00"), "archived": D("4800.00"),
                    "credit_note": D("-3600.00")}


def test_a_payment_collected_by_pennylane_is_read_from_the_invoice_payments(connection, fake, book):
    unpaid = next(
        o for o in book.objects["customer_invoices"].values()
        if o["status"] == "upcoming" and o["amount"] == "1200.00")
    book.builder.record_payment(unpaid, D("1200.00"), date(2026, 4, 2))

    connection_sync(connection=connection)

    stored = _invoice(connection.organization, book, unpaid)
    assert stored.paid_date == date(2026, 4, 2)
    assert list(Payment.objects.for_org(connection.organization).filter(invoice=stored)
                .values_list("kind", "amount")) == [("payment", D("1200.00"))]


def test_an_invoice_gone_while_its_settlements_are_read_leaves_the_others_dated(connection, fake, book):
    a = _by_amount(book, "1200.00")
    route = fake._invoice_sublist

    def gone_for_a(book_, resource, invoice_id, sublist, params):
        if int(invoice_id) == a["id"]:
            raise _error(404, "Customer invoice not found")
        return route(book_, resource, invoice_id, sublist, params)

    fake._invoice_sublist = gone_for_a
    run = connection_sync(connection=connection)

    assert run.skipped == []
    assert _invoice(connection.organization, book, _by_amount(book, "600.00")).paid_date == date(2026, 3, 31)
