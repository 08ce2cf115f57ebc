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
