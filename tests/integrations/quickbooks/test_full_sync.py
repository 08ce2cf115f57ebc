"""A first sync reads the whole company: accounts with their PCG classes, parties, invoices in the
company currency at each document's rate, real paid dates, and the postings each document makes."""

from decimal import Decimal

from integrations.models import Invoice, LedgerAccount, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync


def test_the_first_sync_reads_every_entity_with_minorversion(acme, qbo, qbo_fake):
    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).filter(kind="customer", is_credit_note=False).count() == 12
    assert Invoice.objects.for_org(acme).filter(kind="customer", is_credit_note=True).count() == 2
    assert Invoice.objects.for_org(acme).filter(kind="supplier").count() == 3
    # 6 invoices paid in cash, 2 settled by credit memos, 3 bills paid
    assert Payment.objects.for_org(acme).filter(invoice__kind="customer", kind="payment").count() == 6
    assert Payment.objects.for_org(acme).filter(invoice__kind="customer", kind="credit_note").count() == 2
    assert Payment.objects.for_org(acme).filter(invoice__kind="supplier").count() == 3
    api_calls = [r for r in qbo_fake.log if r.path.startswith("/v3/")]
    assert api_calls and all(r.query.get("minorversion") == ["75"] for r in api_calls)


def test_amounts_are_in_the_company_currency_at_the_documents_rate(acme, qbo):
    connection_sync(connection=qbo)

    first = Invoice.objects.for_org(acme).get(number="UK-1000")
    assert first.currency == "GBP"
    assert first.exchange_rate == Decimal("1.15")
    assert first.currency_amount_incl_tax == Decimal("1200.00")
    assert first.amount_incl_tax == Decimal("1380.00")  # 1,200 GBP × 1.15
    assert first.amount_excl_tax == Decimal("1150.00")


def test_a_paid_invoice_is_paid_on_its_payments_day_not_its_last_update(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)

    paid = Invoice.objects.for_org(acme).get(number="UK-1000")
    open_ = Invoice.objects.for_org(acme).get(number="UK-1003")
    payment = qbo_fake.company.objects["Payment"]["3000"]
    assert str(paid.paid_date) == payment["TxnDate"]
    assert open_.paid_date is None
    assert open_.remaining_amount_incl_tax == open_.amount_incl_tax


def test_ledger_lines_count_in_their_accounts_pcg_class(acme, qbo):
    connection_sync(connection=qbo)

    sales = LedgerAccount.objects.for_org(acme).get(external_id="79")
    assert sales.classification == "Income/SalesOfProductIncome"
    assert sales.pcg_number == "707"
    lines = LedgerLine.objects.for_org(acme)
    assert sum(line.credit for line in lines.filter(account_number="707")) == Decimal("21390.00")  # 18,600 GBP × 1.15
    assert sum(line.debit for line in lines.filter(account_number="707")) == Decimal("2185.00")  # credit memos: 1,900 GBP
    assert lines.filter(account_number="641").get().debit == Decimal("5200.00")
    debit = sum(line.debit for line in lines)
    credit = sum(line.credit for line in lines)
    assert debit == credit  # every document posts balanced


def test_an_account_of_a_type_without_default_stays_unmapped_and_its_lines_count_nowhere(acme, qbo):
    connection_sync(connection=qbo)

    sundry = LedgerAccount.objects.for_org(acme).get(external_id="84")
    assert sundry.pcg_number == ""
    assert LedgerLine.objects.for_org(acme).filter(account=sundry).get().account_number == ""


def test_a_second_sync_changes_nothing(acme, qbo):
    connection_sync(connection=qbo)
    rows = LedgerLine.objects.for_org(acme).count()

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert run.created_total == 0 and run.updated_total == 0 and run.deleted_total == 0
    assert LedgerLine.objects.for_org(acme).count() == rows
