"""The demo's Lumen Home Ltd buys what it sells: its monthly goods purchases give it a distributor's gross
margin (about 45 %), not the 98 % of sales with one purchase in two years."""

from datetime import date
from decimal import Decimal

from integrations.fakes.quickbooks_scenario import add_monthly_goods_purchases, demo_company
from integrations.models import Invoice
from integrations.services import connection_sync
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute


def test_a_month_of_the_demo_reads_a_distributors_margin_and_its_purchases_are_paid(acme, qbo, qbo_fake):
    today = date.today()
    company = demo_company(today=today, invoices=60, last_invoice_days_ago=5)
    added = add_monthly_goods_purchases(company, today=today)
    qbo_fake.companies[qbo.provider_account_id] = company

    connection_sync(connection=qbo)
    catalogue_install(acme)
    kpi_values_recompute(org=acme)

    assert added >= 18
    margins = [v for v in KpiValue.objects.for_org(acme).filter(kpi__slug="gross_margin_pct", grain="month")
               .values_list("value", flat=True) if v is not None]
    assert len(margins) >= 12
    # Every closed month but the one of the scenario's own stock bill; the running month has no bill yet.
    within = [m for m in margins if Decimal(40) <= m <= Decimal(60)]
    assert len(within) >= len(margins) - 2, margins
    assert sorted(margins)[len(margins) // 2] == Decimal(45)
    purchases = Invoice.objects.for_org(acme).filter(kind=Invoice.Kind.SUPPLIER, number__startswith="PO-")
    assert purchases.count() == added
    assert purchases.filter(paid_date__isnull=False).count() >= added - 2  # the last month's are not due yet


def test_once_the_cfo_counts_the_cogs_account_as_goods_for_resale_the_commercial_margin_is_a_distributors(
        acme, qbo, qbo_fake):
    """QuickBooks' "Supplies & materials - COGS" maps to raw materials (601) by default, which leaves a
    distributor's commercial margin at its whole revenue; the demo's CFO maps it to 607, as this test does."""
    from integrations.mapping import ledger_account_remap
    from integrations.models import LedgerAccount

    today = date.today()
    company = demo_company(today=today, invoices=60, last_invoice_days_ago=5)
    add_monthly_goods_purchases(company, today=today)
    qbo_fake.companies[qbo.provider_account_id] = company
    connection_sync(connection=qbo)
    catalogue_install(acme)
    ledger_account_remap(account=LedgerAccount.objects.for_org(acme).get(number="5000"), pcg_number="607", by=None)
    kpi_values_recompute(org=acme)

    def yearly(slug):
        return sum(v for v in KpiValue.objects.for_org(acme).filter(kpi__slug=slug, grain="month")
                   .values_list("value", flat=True) if v is not None)

    ratio = yearly("commercial_margin") / yearly("revenue")
    assert Decimal("0.35") <= ratio <= Decimal("0.55"), ratio
