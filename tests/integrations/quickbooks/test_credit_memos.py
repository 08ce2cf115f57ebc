"""A CreditMemo is a customer credit note: negative amounts, the reverse postings of a sale, and the invoice
it is applied to (through a Payment of 0, as QuickBooks links them) settled by it on the day it is applied.
Every sales and receivables KPI reads it: the same books without the credit memos differ by exactly them."""

from datetime import date
from decimal import Decimal

from integrations.fakes.quickbooks import QuickBooksFake
from integrations.fakes.quickbooks_scenario import REALM_ID, demo_company
from integrations.http import mount_transport
from integrations.models import Connection, Invoice, LedgerLine, Payment, SyncRun
from integrations.services import connection_sync
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute
from tests.integrations.quickbooks.conftest import BASE, REFRESH


def test_a_credit_memo_is_kept_as_a_credit_note_with_negative_amounts(acme, qbo, qbo_fake):
    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    memo = Invoice.objects.for_org(acme).get(external_id="cm:4000")
    assert memo.is_credit_note and memo.kind == "customer" and memo.status == "credit_note"
    assert memo.amount_excl_tax == Decimal("-230.00")  # 200 GBP × 1.15
    assert memo.amount_incl_tax == Decimal("-276.00")
    assert memo.currency_amount_incl_tax == Decimal("-240.00")
    assert memo.customer.name == "Kensington Lights"
    assert memo.paid_date is None and not memo.is_void


def test_a_credit_memo_posts_the_reverse_of_a_sale(acme, qbo):
    connection_sync(connection=qbo)

    lines = {line.account_number: line for line in LedgerLine.objects.for_org(acme).filter(entry_external_id="CreditMemo:4000")}
    assert lines["707"].debit == Decimal("230.00")
    assert lines["445"].debit == Decimal("46.00")
    assert lines["411"].credit == Decimal("276.00")


def test_the_invoice_a_credit_memo_is_applied_to_is_settled_on_that_day(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)

    credited = Invoice.objects.for_org(acme).get(number="UK-1007")
    memo_day = qbo_fake.company.objects["CreditMemo"]["4001"]["TxnDate"]
    assert str(credited.paid_date) == memo_day
    settlement = Payment.objects.for_org(acme).get(invoice=credited)
    assert settlement.kind == "credit_note" and settlement.amount == credited.amount_incl_tax
    partly = Invoice.objects.for_org(acme).get(number="UK-1001")
    assert partly.paid_date is None
    assert partly.remaining_amount_incl_tax == partly.amount_incl_tax - Decimal("276.00")
    assert Payment.objects.for_org(acme).get(invoice=partly).amount == Decimal("276.00")
    # A credit applied moves no money: the Payment of 0 posts nothing.
    assert not LedgerLine.objects.for_org(acme).filter(entry_external_id="Payment:3901").exists()


def test_a_deleted_credit_memo_and_its_application_are_tombstoned(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    qbo_fake.company.delete("CreditMemo", "4000")
    qbo_fake.company.delete("Payment", "3900")

    run = connection_sync(connection=qbo)

    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).get(external_id="cm:4000").is_deleted
    lines = LedgerLine.objects.for_org(acme).filter(entry_external_id="CreditMemo:4000")
    assert lines.exists() and all(line.is_deleted for line in lines)
    assert Payment.objects.for_org(acme).get(external_id="pay:3900:0:credit").is_deleted


def test_a_complete_invoice_listing_does_not_tombstone_the_credit_memos(acme, qbo):
    connection_sync(connection=qbo)
    connection_sync(connection=qbo, full=True)

    assert Invoice.objects.for_org(acme).filter(is_credit_note=True, is_deleted=False).count() == 2


OTHER_REALM = "9130350000000002"


def _kpis(org) -> dict[str, dict[date, Decimal]]:
    values: dict[str, dict[date, Decimal]] = {}
    for v in KpiValue.objects.for_org(org).filter(grain="month", dimension_value="").select_related("kpi"):
        values.setdefault(v.kpi.slug, {})[v.period_start] = v.value
    return values


def test_every_sales_and_receivables_kpi_reads_the_credit_memos(acme, globex, qbo, qbo_fake):
    """Globex keeps the same books without the two credit memos: Acme's KPIs differ by exactly them."""
    without = demo_company(today=date.today(), credit_memos=False)
    without.realm_id = OTHER_REALM
    fake = QuickBooksFake([qbo_fake.company, without], tokens={"qbo-at-acme": REALM_ID, "qbo-at-globex": OTHER_REALM})
    mount_transport(BASE, fake.transport())
    other = Connection.objects.create(
        organization=globex, provider="quickbooks", provider_account_id=OTHER_REALM, label="QuickBooks",
        credentials={"auth": "oauth", "access_token": "qbo-at-globex", "refresh_token": REFRESH,
                     "expires_at": qbo.credentials["expires_at"], "realm_id": OTHER_REALM})
    for connection in (qbo, other):
        assert connection_sync(connection=connection).state == SyncRun.State.DONE
        catalogue_install(connection.organization)
        kpi_values_recompute(org=connection.organization)
    with_memos, plain = _kpis(acme), _kpis(globex)
    memos = {m["Id"]: m for m in qbo_fake.company.objects["CreditMemo"].values()}
    month_of = {i: date.fromisoformat(m["TxnDate"]).replace(day=1) for i, m in memos.items()}
    last = max(plain["revenue"])

    # Revenue: each credit memo's amount excl. VAT off the month it is dated.
    assert any(with_memos["revenue"][month] != value for month, value in plain["revenue"].items())
    for month, value in plain["revenue"].items():
        if value is None:  # a month before the books start
            assert with_memos["revenue"][month] is None
            continue
        credited = sum((Decimal("230.00") if month_of["4000"] == month else 0,
                        Decimal("1955.00") if month_of["4001"] == month else 0), Decimal(0))
        assert with_memos["revenue"][month] == value - credited
    # Late invoices at the last month's end: UK-1007 is settled by its credit, UK-1001 owes 276 less.
    assert with_memos["late_invoices_count"][last] == plain["late_invoices_count"][last] - 1
    assert with_memos["late_invoices_amount"][last] == plain["late_invoices_amount"][last] - Decimal("276.00") \
        - Decimal("2346.00")
