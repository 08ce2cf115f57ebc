"""A first sync reads the whole business: the French chart as PCG numbers, contacts, invoices and credit
notes in the base currency, real paid dates from the invoices' payments and allocations, and the ledger
entries Sage posted, every request naming the business in X-Business."""

from decimal import Decimal

from integrations.fakes.sage_scenario import BUSINESS_ID
from integrations.models import Customer, Invoice, LedgerAccount, LedgerLine, Payment, Supplier, SyncRun
from integrations.services import connection_sync


def test_the_first_sync_reads_every_resource_of_the_business(acme, sage, sage_fake):
    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Customer.objects.for_org(acme).count() == 3
    assert Supplier.objects.for_org(acme).count() == 1
    assert Invoice.objects.for_org(acme).filter(kind="customer", is_credit_note=False).count() == 14
    assert Invoice.objects.for_org(acme).filter(kind="customer", is_credit_note=True).count() == 1
    assert Invoice.objects.for_org(acme).filter(kind="supplier").count() == 2
    api = [r for r in sage_fake.log if r.path.startswith("/v3.1/")]
    assert api and all(r.business == BUSINESS_ID and r.status == 200 for r in api)
    assert all(r.query.get("attributes") == ["all"] for r in api
               if r.path != "/v3.1/financial_settings" and "deleted_since" not in r.query)


def test_the_french_chart_is_pcg_already(acme, sage):
    connection_sync(connection=sage)

    goods = LedgerAccount.objects.for_org(acme).get(external_id="la-goods")
    assert (goods.number, goods.classification, goods.pcg_number) == ("707000", "", "707000")
    lines = LedgerLine.objects.for_org(acme)
    assert lines.filter(account_number="641000").get().debit == Decimal("5200.00")
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)


def test_amounts_are_in_the_base_currency_at_the_documents_rate(acme, sage):
    connection_sync(connection=sage)

    in_usd = Invoice.objects.for_org(acme).get(number="FA-1002")
    assert in_usd.currency == "USD"
    assert in_usd.exchange_rate == Decimal("0.9")
    assert in_usd.currency_amount_incl_tax == Decimal("1440.00")
    assert in_usd.amount_incl_tax == Decimal("1296.00")  # 1,440 USD × 0.9
    assert in_usd.amount_excl_tax == Decimal("1080.00")


def test_drafts_and_voided_invoices_are_kept_but_never_sales(acme, sage):
    connection_sync(connection=sage)

    draft = Invoice.objects.for_org(acme).get(external_id="si:si-draft")
    voided = Invoice.objects.for_org(acme).get(external_id="si:si-void")
    assert draft.is_void and draft.status == "draft" and draft.remaining_amount_incl_tax == 0
    assert voided.is_void and voided.status == "cancelled" and voided.paid_date is None
    counted = Invoice.objects.for_org(acme).filter(kind="customer", is_void=False, is_credit_note=False)
    assert counted.count() == 12


def test_a_paid_invoice_is_paid_on_its_receipts_day_and_a_credit_note_settles_its_invoice(acme, sage, sage_fake):
    connection_sync(connection=sage)

    paid = Invoice.objects.for_org(acme).get(number="FA-1000")
    receipt = sage_fake.business.objects["sales_invoices"]["si-0"]["payments_allocations"][0]
    assert str(paid.paid_date) == receipt["date"]
    credited = Invoice.objects.for_org(acme).get(number="FA-1001")
    assert credited.paid_date is None and credited.remaining_amount_incl_tax == Decimal("1020.00")
    assert credited.status_label == "Open · partly paid"
    allocation = Payment.objects.for_org(acme).get(invoice=credited)
    assert (allocation.kind, allocation.amount) == ("credit_note", Decimal("300.00"))
    credit_note = Invoice.objects.for_org(acme).get(number="AV-1")
    assert credit_note.amount_incl_tax == Decimal("-300.00")


def test_a_second_sync_changes_nothing(acme, sage):
    connection_sync(connection=sage)
    rows = LedgerLine.objects.for_org(acme).count()

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    assert run.created_total == 0 and run.updated_total == 0 and run.deleted_total == 0
    assert LedgerLine.objects.for_org(acme).count() == rows
