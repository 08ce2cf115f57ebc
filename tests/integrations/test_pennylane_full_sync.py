from decimal import Decimal

import pytest

from integrations.models import BankTransaction, Customer, Invoice, LedgerAccount, LedgerLine, SyncRun
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def _check_first_sync_stores_every_record(connection, book):
    run = connection_sync(connection=connection)

    assert run.state == SyncRun.State.DONE, run.errors
    org = connection.organization
    assert Customer.objects.for_org(org).count() == 3
    # 30 customer invoices of 100.00 excl. VAT (120.00 incl.) and one supplier invoice of 50.00.
    customer_invoices = Invoice.objects.for_org(org).filter(kind="customer")
    assert customer_invoices.count() == 30
    assert sum(i.amount_excl_tax for i in customer_invoices) == Decimal("3000.00")
    assert sum(i.amount_incl_tax for i in customer_invoices) == Decimal("3600.00")
    assert Invoice.objects.for_org(org).get(kind="supplier").amount_incl_tax == Decimal("60.00")
    assert LedgerAccount.objects.for_org(org).count() == len(book.objects["ledger_accounts"])
    assert LedgerLine.objects.for_org(org).count() == len(book.objects["ledger_entry_lines"])
    # Revenue lines are joined locally to their PCG account: 30 × 100.00 credited on 706000.
    revenue = LedgerLine.objects.for_org(org).filter(account_number="706000")
    assert sum(line.credit for line in revenue) == Decimal("3000.00")
    assert BankTransaction.objects.for_org(org).count() == len(book.objects["transactions"])
    assert run.total("created") == run.total("created") and run.progress == 100
    return run


def test_first_sync_stores_every_record_in_process(connection, book, fake):
    _check_first_sync_stores_every_record(connection, book)


def test_first_sync_stores_every_record_over_real_http(connection, book, fake_over_http):
    _check_first_sync_stores_every_record(connection, book)
