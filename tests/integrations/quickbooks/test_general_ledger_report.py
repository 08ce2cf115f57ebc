"""What no entity we read carries (a sales receipt, a transfer…) comes from the GeneralLedger report: its
rows become ledger lines (and bank movements) of their accounts; rows of the entities we derive postings
from are left out, so nothing counts twice; a transaction gone from the report's window goes."""

from decimal import Decimal

from integrations.models import BankTransaction, LedgerLine, SyncRun
from integrations.services import connection_sync


def test_a_sales_receipt_and_a_transfer_are_posted_from_the_report(acme, qbo, qbo_fake):
    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    receipt = {line.account_number: line for line in LedgerLine.objects.for_org(acme).filter(
        entry_external_id="GL:SalesReceipt:9000")}
    assert receipt["706"].credit == Decimal("100.00") and receipt["445"].credit == Decimal("20.00")
    assert receipt["512"].debit == Decimal("120.00")
    moves = {t.bank_account.external_id: t.amount for t in BankTransaction.objects.for_org(acme).filter(
        external_id__startswith="bank:GL:Transfer:9001:")}
    assert moves == {"41": Decimal("130.00"), "35": Decimal("-130.00")}


def test_rows_of_the_entities_already_read_are_not_counted_twice(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)

    assert not LedgerLine.objects.for_org(acme).filter(entry_external_id__startswith="GL:JournalEntry").exists()
    assert LedgerLine.objects.for_org(acme).filter(entry_external_id="JournalEntry:7000").count() == 2
    report = qbo_fake.requests_to("/reports/GeneralLedger")[-1]
    assert report.query["columns"] == ["tx_date,txn_type,doc_num,memo,debt_amt,credit_amt"]
    assert report.query["start_date"] and report.query["end_date"] and report.query["minorversion"] == ["75"]


def test_a_transaction_gone_from_the_report_is_tombstoned(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    qbo_fake.company.other_postings = [t for t in qbo_fake.company.other_postings if t["Id"] != "9001"]

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    gone = LedgerLine.objects.for_org(acme).filter(entry_external_id="GL:Transfer:9001")
    assert gone.exists() and all(line.is_deleted for line in gone)
    assert all(t.is_deleted for t in BankTransaction.objects.for_org(acme).filter(external_id__startswith="bank:GL:Transfer:"))
    assert not any(line.is_deleted for line in LedgerLine.objects.for_org(acme).filter(entry_external_id="GL:SalesReceipt:9000"))
