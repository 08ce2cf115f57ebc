"""After the first sync, each collection is read again only for what changed since the stored time
(If-Modified-Since) and the ledger only for the journals numbered after the last one stored. Xero removes
nothing: a voided invoice or a deleted draft comes back with its status (kept, not counted) and its
reversing journal; a deleted payment comes back DELETED and goes, the invoice open again."""

from datetime import date, timedelta
from decimal import Decimal

from integrations.fakes.xero_scenario import add_sale
from integrations.models import Connection, Invoice, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync
from tests.integrations.xero.conftest import invoice_id


def _cursors(connection):
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).cursors


def _sales(org) -> Decimal:
    return sum((line.credit - line.debit for line in LedgerLine.objects.for_org(org).filter(
        account_number="707", is_deleted=False)), Decimal(0))


def test_later_syncs_send_if_modified_since_and_the_last_journal_number(acme, xero, xero_fake):
    connection_sync(connection=xero)
    journals = len(xero_fake.tenant.journals)
    assert _cursors(xero)["Journals"] == {"offset": journals}
    xero_fake.log.clear()

    connection_sync(connection=xero)

    lists = [r for r in xero_fake.log if r.path.split("/")[-1] in ("Contacts", "Invoices", "CreditNotes", "Payments",
                                                                  "BankTransactions")]
    assert len(lists) == 5 and all(r.headers.get("if-modified-since") for r in lists)
    assert [r.query["offset"] for r in xero_fake.requests_to("/Journals")] == [[str(journals)]]


def test_a_new_invoice_and_its_journal_are_read_on_the_next_sync(acme, xero, xero_fake):
    connection_sync(connection=xero)
    before = _sales(acme)
    accounts = {a["Code"]: a for a in xero_fake.tenant.objects["Accounts"].values()}
    contact = next(iter(xero_fake.tenant.objects["Contacts"].values()))
    add_sale(xero_fake.tenant, {"sales": accounts["200"], "ar": accounts["610"], "vat": accounts["820"]},
             number="INV-NEW", contact=contact, day=date.today() - timedelta(days=1), net=Decimal("2500.00"))

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).get(number="INV-NEW").amount_excl_tax == Decimal("2000.00")
    assert _sales(acme) == before + Decimal("2000.00")


def test_a_voided_invoice_is_kept_but_neither_a_sale_nor_in_the_ledger(acme, xero, xero_fake):
    connection_sync(connection=xero)
    before = _sales(acme)
    voided = invoice_id(xero_fake, "INV-1001")  # an open one: 1,100 € net
    xero_fake.tenant.touch("Invoices", voided, Status="VOIDED", AmountDue=0)
    xero_fake.tenant.reverse_journals(voided, day=date.today())

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    invoice = Invoice.objects.for_org(acme).get(number="INV-1001")
    assert invoice.status == "voided" and invoice.is_void and not invoice.is_deleted
    assert _sales(acme) == before - Decimal("1100.00")


def test_a_deleted_draft_stays_a_record_that_counts_nowhere(acme, xero, xero_fake):
    connection_sync(connection=xero)
    xero_fake.tenant.touch("Invoices", invoice_id(xero_fake, "INV-DRAFT"), Status="DELETED")

    connection_sync(connection=xero)

    draft = Invoice.objects.for_org(acme).get(number="INV-DRAFT")
    assert draft.status == "deleted" and draft.is_void


def test_a_deleted_payment_goes_and_the_invoice_is_open_again(acme, xero, xero_fake):
    connection_sync(connection=xero)
    paid = invoice_id(xero_fake, "INV-1000")
    payment = next(p for p in xero_fake.tenant.objects["Payments"].values() if p["Invoice"]["InvoiceID"] == paid)
    xero_fake.tenant.touch("Payments", payment["PaymentID"], Status="DELETED")
    total = xero_fake.tenant.objects["Invoices"][paid]["Total"]
    xero_fake.tenant.touch("Invoices", paid, Status="AUTHORISED", AmountDue=total, AmountPaid=0, Payments=[],
                           FullyPaidOnDate=None)
    xero_fake.tenant.reverse_journals(payment["PaymentID"], day=date.today())

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Payment.objects.for_org(acme).get(external_id=payment["PaymentID"]).is_deleted
    invoice = Invoice.objects.for_org(acme).get(number="INV-1000")
    assert invoice.paid_date is None and invoice.remaining_amount_incl_tax == Decimal("1200.00")
    bank = LedgerLine.objects.for_org(acme).filter(account_number="512", entry_external_id__in=[
        j["JournalID"] for j in xero_fake.tenant.journals if j["SourceID"] == payment["PaymentID"]])
    assert sum(line.debit - line.credit for line in bank) == 0  # posted, then reversed


def test_a_full_sync_reads_everything_again_and_changes_nothing(acme, xero, xero_fake):
    connection_sync(connection=xero)
    xero_fake.log.clear()

    run = connection_sync(connection=xero, full=True)

    assert run.state == SyncRun.State.DONE, run.errors
    assert not [r for r in xero_fake.log if r.headers.get("if-modified-since")]
    assert xero_fake.requests_to("/Journals")[0].query["offset"] == ["0"]
    assert run.created_total == 0 and run.updated_total == 0
