"""After the first listing, syncs read `updated_or_created_since` and `deleted_since` from the time the
previous read started: changed documents are re-read with their payments, deleted ones (and deleted
ledger entries) become tombstones, and a voided invoice stops counting."""

from datetime import date, timedelta
from decimal import Decimal

from integrations.fakes.sage_scenario import unpost
from integrations.models import Connection, Invoice, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync


def _cursors(connection):
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).cursors


def test_after_the_first_listing_syncs_ask_for_changes_and_deletions_since_the_sync_start(acme, sage, sage_fake):
    connection_sync(connection=sage)
    assert _cursors(sage)["sales_invoices"]["phase"] == "since"
    sage_fake.log.clear()

    connection_sync(connection=sage)

    invoices = sage_fake.requests_to("/v3.1/sales_invoices")
    assert {"updated_or_created_since", "deleted_since"} == {k for r in invoices for k in r.query
                                                             if k.endswith("_since")}
    assert all("_since" in "".join(r.query) for r in invoices)


def test_a_payment_received_later_gives_the_invoice_its_paid_date(acme, sage, sage_fake):
    connection_sync(connection=sage)
    invoice = sage_fake.business.objects["sales_invoices"]["si-3"]
    paid_on = (date.today() - timedelta(days=3)).isoformat()
    sage_fake.business.touch("sales_invoices", "si-3", status={"id": "PAID"}, outstanding_amount="0.00",
                             base_currency_outstanding_amount="0.00", payments_allocations=[{
                                 "id": "pa-late", "date": paid_on, "amount": invoice["total_amount"],
                                 "transaction_type": {"id": "CUSTOMER_RECEIPT"}}])

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    stored = Invoice.objects.for_org(acme).get(number="FA-1003")
    assert str(stored.paid_date) == paid_on and stored.status == "paid"
    assert Payment.objects.for_org(acme).get(invoice=stored).amount == Decimal(invoice["total_amount"])


def test_a_deleted_invoice_and_its_ledger_entries_are_tombstoned(acme, sage, sage_fake):
    connection_sync(connection=sage)
    sage_fake.business.delete("sales_invoices", "si-5")
    unpost(sage_fake.business, "tx-si-5")

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).get(number="FA-1005").is_deleted
    lines = LedgerLine.objects.for_org(acme).filter(entry_external_id="tx-si-5")
    assert lines.count() == 3 and all(line.is_deleted for line in lines)


def test_a_voided_invoice_is_kept_but_no_longer_counted(acme, sage, sage_fake):
    connection_sync(connection=sage)
    sage_fake.business.touch("sales_invoices", "si-7", status={"id": "VOID"}, void_reason="Doublon")
    unpost(sage_fake.business, "tx-si-7")

    connection_sync(connection=sage)

    voided = Invoice.objects.for_org(acme).get(number="FA-1007")
    assert voided.is_void and voided.status == "cancelled" and voided.remaining_amount_incl_tax == 0
    assert not LedgerLine.objects.for_org(acme).filter(entry_external_id="tx-si-7", is_deleted=False).exists()


def test_a_deleted_contact_is_tombstoned(acme, sage, sage_fake):
    from integrations.models import Customer

    connection_sync(connection=sage)
    sage_fake.business.delete("contacts", "c-2")

    connection_sync(connection=sage)

    assert Customer.objects.for_org(acme).get(external_id="c-2").is_deleted
