"""BillPayments date the bills they settle and move payables to the bank or card they were paid from;
Deposits and Purchases are money in and out of the bank no invoice carries. Every movement on a bank or
card account is a bank transaction of that account, so the cash KPIs read it."""

from decimal import Decimal

from integrations.models import BankAccount, BankTransaction, Invoice, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute


def test_a_settled_bill_is_paid_on_its_bill_payments_day_not_its_issue_day(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)

    bill = Invoice.objects.for_org(acme).get(external_id="bill:5000")
    paid_by = qbo_fake.company.objects["BillPayment"]["5500"]
    assert str(bill.paid_date) == paid_by["TxnDate"] != str(bill.issue_date)
    settlement = Payment.objects.for_org(acme).get(invoice=bill)
    assert settlement.kind == "payment" and settlement.amount == Decimal("4200.00")


def test_a_bill_payment_moves_payables_to_the_account_it_was_paid_from(acme, qbo):
    connection_sync(connection=qbo)

    cheque = {line.account.external_id: line for line in
              LedgerLine.objects.for_org(acme).filter(entry_external_id="BillPayment:5500").select_related("account")}
    assert cheque["33"].debit == Decimal("4200.00") and cheque["35"].credit == Decimal("4200.00")
    card = LedgerLine.objects.for_org(acme).get(entry_external_id="BillPayment:5502", credit__gt=0)
    assert card.account.external_id == "41"  # the company card


def test_bank_and_card_accounts_carry_every_movement_of_their_postings(acme, qbo):
    connection_sync(connection=qbo)

    assert set(BankAccount.objects.for_org(acme).values_list("external_id", flat=True)) == {"35", "41"}
    for account in BankAccount.objects.for_org(acme):
        moved = sum((t.amount for t in BankTransaction.objects.for_org(acme).filter(bank_account=account)), Decimal(0))
        posted = sum((line.debit - line.credit for line in LedgerLine.objects.for_org(acme).filter(
            account__external_id=account.external_id)), Decimal(0))
        assert moved == posted != 0
    deposit = BankTransaction.objects.for_org(acme).get(external_id="bank:Deposit:8000:0")
    assert deposit.amount == Decimal("45.00") and deposit.bank_account.external_id == "35"
    cheque = BankTransaction.objects.for_org(acme).get(external_id__startswith="bank:Purchase:8100:")
    assert cheque.amount == Decimal("-240.00")
    card = BankTransaction.objects.for_org(acme).get(external_id__startswith="bank:Purchase:8102:")
    assert card.amount == Decimal("-130.00") and card.bank_account.external_id == "41"


def test_a_purchase_debits_its_expense_lines(acme, qbo):
    connection_sync(connection=qbo)

    office = LedgerLine.objects.for_org(acme).get(entry_external_id="Purchase:8101", debit__gt=0)
    assert office.account_number == "606" and office.debit == Decimal("60.00")
    interest = LedgerLine.objects.for_org(acme).get(entry_external_id="Deposit:8000", credit__gt=0)
    assert interest.account_number == "76"


def test_a_deleted_purchase_takes_its_bank_movement_and_postings_with_it(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    qbo_fake.company.delete("Purchase", "8100")

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert BankTransaction.objects.for_org(acme).get(external_id__startswith="bank:Purchase:8100:").is_deleted
    assert all(line.is_deleted for line in LedgerLine.objects.for_org(acme).filter(entry_external_id="Purchase:8100"))


def test_the_cash_kpi_reads_the_bank_movements(acme, qbo):
    connection_sync(connection=qbo)
    catalogue_install(acme)
    kpi_values_recompute(org=acme)

    last = KpiValue.objects.for_org(acme).filter(kpi__slug="net_cash", grain="month", dimension_value="") \
        .order_by("-period_start").first()
    in_bank = sum((t.amount for t in BankTransaction.objects.for_org(acme).filter(date__lte=last.period_end)),
                  Decimal(0))
    assert last.value == in_bank
