"""A first sync reads the whole organisation: accounts with their PCG classes, contacts, invoices in the
base currency at each document's CurrencyRate, real paid dates, credit notes, and the general ledger
from the journals, every call naming the tenant."""

from decimal import Decimal

from integrations.fakes.xero_scenario import TENANT_ID
from integrations.models import (
    BankTransaction,
    Customer,
    Invoice,
    LedgerAccount,
    LedgerLine,
    Payment,
    Supplier,
    SyncRun,
)
from integrations.services import connection_sync


def test_the_first_sync_reads_every_collection_for_the_connected_tenant(acme, xero, xero_fake):
    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    invoices = Invoice.objects.for_org(acme)
    assert invoices.filter(kind="customer", is_credit_note=False).count() == 13  # 12 + the draft
    assert invoices.filter(kind="supplier").count() == 3
    assert invoices.filter(is_credit_note=True).count() == 1
    assert Payment.objects.for_org(acme).count() == 6
    assert Customer.objects.for_org(acme).count() == 3 and Supplier.objects.for_org(acme).count() == 1
    assert BankTransaction.objects.for_org(acme).get().amount == Decimal("50.00")
    api_calls = [r for r in xero_fake.log if r.path.startswith("/api.xro/2.0/")]
    assert api_calls and all(r.headers.get("xero-tenant-id") == TENANT_ID for r in api_calls)
    assert all(r.status == 200 for r in xero_fake.log)


def test_amounts_are_in_the_base_currency_at_the_documents_rate(acme, xero):
    connection_sync(connection=xero)

    first = Invoice.objects.for_org(acme).get(number="INV-1000")
    assert first.currency == "USD"
    assert first.exchange_rate == Decimal("0.8")  # 1 USD = 0.80 € (CurrencyRate 1.25 USD per euro)
    assert first.currency_amount_incl_tax == Decimal("1500.00")
    assert first.amount_incl_tax == Decimal("1200.00")
    assert first.amount_excl_tax == Decimal("1000.00")


def test_a_paid_invoice_is_paid_on_its_payments_day_not_its_last_update(acme, xero, xero_fake):
    connection_sync(connection=xero)

    paid = Invoice.objects.for_org(acme).get(number="INV-1000")
    open_ = Invoice.objects.for_org(acme).get(number="INV-1001")
    payment = next(p for p in xero_fake.tenant.objects["Payments"].values() if p["Reference"] == "INV-1000")
    assert paid.status == "paid"
    assert Payment.objects.for_org(acme).get(external_id=payment["PaymentID"]).date == paid.paid_date
    assert (paid.paid_date - paid.issue_date).days == 20
    assert open_.paid_date is None
    assert open_.remaining_amount_incl_tax == open_.amount_incl_tax


def test_a_draft_is_kept_but_is_no_sale(acme, xero):
    connection_sync(connection=xero)

    draft = Invoice.objects.for_org(acme).get(number="INV-DRAFT")
    assert draft.status == "draft" and draft.is_void
    assert not LedgerLine.objects.for_org(acme).filter(label="INV-DRAFT").exists()


def test_ledger_lines_come_from_the_journals_in_their_accounts_pcg_class(acme, xero):
    connection_sync(connection=xero)

    sales = LedgerAccount.objects.for_org(acme).get(number="200")
    assert sales.classification == "REVENUE/SALES"
    assert sales.pcg_number == "707"
    assert LedgerAccount.objects.for_org(acme).get(number="610").pcg_number == "411"  # ASSET/CURRENT/DEBTORS
    lines = LedgerLine.objects.for_org(acme)
    sold = sum(line.credit - line.debit for line in lines.filter(account_number="707"))
    assert sold == Decimal("18500.00")  # 12 invoices 1,000 € … 2,100 €, less the 100 € credit note
    assert sum(line.credit for line in lines.filter(account_number="445")) == Decimal("3720.00")
    assert lines.filter(account__number="477").get().account_number == "62"  # wages are OVERHEADS at Xero
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)  # every journal balances


def test_an_account_of_a_type_without_default_stays_unmapped_and_its_lines_count_nowhere(acme, xero):
    connection_sync(connection=xero)

    sundry = LedgerAccount.objects.for_org(acme).get(number="429")
    assert sundry.classification == "EXPENSE/EXPENSE" and sundry.pcg_number == ""
    assert LedgerLine.objects.for_org(acme).filter(account=sundry).get().account_number == ""


def test_a_second_sync_changes_nothing(acme, xero):
    connection_sync(connection=xero)
    rows = LedgerLine.objects.for_org(acme).count()

    run = connection_sync(connection=xero)

    assert run.state == SyncRun.State.DONE, run.errors
    assert run.created_total == 0 and run.updated_total == 0 and run.deleted_total == 0
    assert LedgerLine.objects.for_org(acme).count() == rows
