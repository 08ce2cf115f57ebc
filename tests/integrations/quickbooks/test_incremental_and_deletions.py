"""After the first listing, syncs read Change Data Capture since the stored time: changed documents
are re-read with their postings, deleted ones become tombstones (their postings too), and a cursor
older than CDC's 30-day look-back lists the entity again."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from integrations.models import Connection, Invoice, LedgerLine, SyncRun
from integrations.services import connection_sync


def _cursors(connection):
    return Connection.objects.for_org(connection.organization).get(pk=connection.pk).cursors


def test_after_the_first_listing_syncs_read_cdc_since_the_sync_start(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    assert _cursors(qbo)["Invoice"]["phase"] == "cdc"
    qbo_fake.log.clear()

    connection_sync(connection=qbo)

    cdc = qbo_fake.requests_to("/cdc")
    assert {r.query["entities"][0] for r in cdc} == {"Customer", "Vendor", "Invoice", "CreditMemo", "Payment", "Bill",
                                                     "BillPayment", "Deposit", "Purchase", "JournalEntry"}
    assert not [r for r in qbo_fake.requests_to("/query") if "FROM Invoice" in r.query["query"][0]]


def test_a_changed_invoice_is_re_read_with_its_postings(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    invoice = qbo_fake.company.objects["Invoice"]["1001"]
    line = invoice["Line"][0]
    line["Amount"] = Decimal("2000.00")
    qbo_fake.company.touch("Invoice", "1001", TotalAmt=Decimal("2400.00"), Balance=Decimal("2400.00"),
                           TxnTaxDetail={"TotalTax": Decimal("400.00")})

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).get(number="UK-1001").amount_incl_tax == Decimal("2760.00")
    sale = LedgerLine.objects.for_org(acme).get(entry_external_id="Invoice:1001", account_number="707")
    assert sale.credit == Decimal("2300.00")


def test_a_deleted_invoice_is_tombstoned_with_its_postings(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    qbo_fake.company.delete("Invoice", "1003")

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).get(number="UK-1003").is_deleted
    lines = LedgerLine.objects.for_org(acme).filter(entry_external_id="Invoice:1003")
    assert lines.exists() and all(line.is_deleted for line in lines)


def test_a_voided_invoice_is_kept_but_not_counted(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    qbo_fake.company.touch("Invoice", "1005", TotalAmt=0, Balance=0, PrivateNote="Voided", TxnTaxDetail={"TotalTax": 0})

    connection_sync(connection=qbo)

    voided = Invoice.objects.for_org(acme).get(number="UK-1005")
    assert voided.is_void and voided.status == "voided" and voided.paid_date is None
    assert not LedgerLine.objects.for_org(acme).filter(entry_external_id="Invoice:1005", is_deleted=False).exists()


def test_a_cursor_older_than_the_cdc_window_lists_the_entity_again(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    Connection.objects.for_org(acme).filter(pk=qbo.pk).update(
        cursors={**_cursors(qbo), "Invoice": {"phase": "cdc", "since": old}})
    qbo.refresh_from_db()
    qbo_fake.log.clear()

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [r for r in qbo_fake.requests_to("/query") if "FROM Invoice" in r.query["query"][0]]
    assert not [r for r in qbo_fake.requests_to("/cdc") if r.query["entities"] == ["Invoice"]]
    assert all(r.status == 200 for r in qbo_fake.log)
