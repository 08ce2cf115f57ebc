"""The business's bank accounts and their movements: Sage v3.1 lists no bank transactions of its own, so a
bank account's movements are its contact payments (customer receipts, supplier payments) and its other
payments and receipts, stored signed (receipts positive) on the account, read again with
`updated_or_created_since` and tombstoned with `deleted_since` like every other Sage resource."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from integrations.fakes.sage_scenario import BANK_ACCOUNT_ID, bank_movement
from integrations.models import BankAccount, BankTransaction, LedgerLine, SyncRun
from integrations.services import connection_sync
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute


def _balance(org) -> Decimal:
    return BankTransaction.objects.for_org(org).filter(is_deleted=False).aggregate(s=Sum("amount"))["s"]


def test_a_full_sync_stores_the_bank_account_and_its_signed_movements(acme, sage, sage_fake):
    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    account = BankAccount.objects.for_org(acme).get(external_id=BANK_ACCOUNT_ID)
    assert (account.name, account.currency) == ("Compte courant", "EUR")
    moves = BankTransaction.objects.for_org(acme)
    receipts = [m for m in moves if m.external_id.startswith("cp:")]
    paid = [i for i in sage_fake.business.objects["sales_invoices"].values() if i["status"]["id"] == "PAID"]
    assert len(receipts) == len(paid) > 0 and all(m.amount > 0 and m.bank_account == account for m in receipts)
    wages = moves.get(external_id__startswith="op:")
    assert (wages.amount, wages.label, wages.bank_account) == (Decimal("-5200.00"), "Salaires", account)


def test_the_movements_add_up_to_the_bank_ledger_account(acme, sage, sage_fake):
    connection_sync(connection=sage)

    bank_lines = LedgerLine.objects.for_org(acme).filter(account_number__startswith="512")
    ledger = bank_lines.aggregate(d=Sum("debit"))["d"] - bank_lines.aggregate(c=Sum("credit"))["c"]
    assert _balance(acme) == ledger


def test_a_later_receipt_is_read_with_the_changes(acme, sage, sage_fake):
    connection_sync(connection=sage)
    before = _balance(acme)
    bank_movement(sage_fake.business, "other_payments", "OTHER_RECEIPT", "tx-or-1", date.today() - timedelta(days=1),
                  Decimal("250.00"), reference="Remboursement assurance", at=None)
    sage_fake.log.clear()

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    listed = sage_fake.requests_to("/v3.1/other_payments")
    assert listed and all("updated_or_created_since" in r.query or "deleted_since" in r.query for r in listed)
    assert BankTransaction.objects.for_org(acme).get(label="Remboursement assurance").amount == Decimal("250.00")
    assert _balance(acme) == before + Decimal("250.00")


def test_a_deleted_payment_and_a_deleted_bank_account_are_tombstoned(acme, sage, sage_fake):
    connection_sync(connection=sage)
    wages = next(iter(sage_fake.business.objects["other_payments"]))
    sage_fake.business.delete("other_payments", wages)
    sage_fake.business.delete("bank_accounts", BANK_ACCOUNT_ID)

    run = connection_sync(connection=sage)

    assert run.state == SyncRun.State.DONE, run.errors
    assert BankTransaction.objects.for_org(acme).get(external_id=f"op:{wages}").is_deleted
    assert BankAccount.objects.for_org(acme).get(external_id=BANK_ACCOUNT_ID).is_deleted
    assert not BankTransaction.objects.for_org(acme).filter(external_id__startswith="cp:", is_deleted=True).exists()


def test_a_full_sync_tombstones_a_movement_sage_no_longer_lists(acme, sage, sage_fake):
    connection_sync(connection=sage)
    receipt = next(iter(sage_fake.business.objects["contact_payments"]))
    sage_fake.business.objects["contact_payments"].pop(receipt)  # gone without a deletion record

    run = connection_sync(connection=sage, full=True)

    assert run.state == SyncRun.State.DONE, run.errors
    assert BankTransaction.objects.for_org(acme).get(external_id=f"cp:{receipt}").is_deleted


def test_the_cash_kpi_reads_the_sage_bank_movements(acme, sage, sage_fake):
    connection_sync(connection=sage)
    catalogue_install(acme)
    kpi_values_recompute(org=acme)

    last = KpiValue.objects.for_org(acme).filter(kpi__slug="net_cash", grain="month", dimension_value="") \
        .order_by("-period_start").first()
    in_bank = sum((t.amount for t in BankTransaction.objects.for_org(acme).filter(date__lte=last.period_end)),
                  Decimal(0))
    assert in_bank != 0 and last.value == in_bank
