"""Each recompute records which records the company has (kpis.presence), so pages read it instead of the raw
tables: the record types with live rows, and the ledger accounts mapped to no PCG class with their weight."""

from datetime import date
from decimal import Decimal

from integrations.models import LedgerAccount, LedgerLine
from kpis.presence import data_presence_for
from kpis.selectors import record_types_present, unmapped_ledger_for
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import at, order
from tests.kpis.ui.kpi_data import make_kpi, make_metric

TODAY = date(2026, 11, 20)


def _orders_kpi(org):
    make_metric(org, slug="orders_n", record_type="order", aggregation="count", date_field="placed_at")
    make_kpi(org, slug="orders", formula="orders_n", unit="count")


def test_a_recompute_records_the_record_types_the_company_has(acme):
    _orders_kpi(acme)
    first = order(acme, placed=at(date(2026, 10, 5)))
    kpi_values_recompute(org=acme, today=TODAY)
    assert record_types_present(acme, record_types={"order", "ledgerline"}) == {"order"}

    first.is_deleted = True
    first.save()
    kpi_values_recompute(org=acme, changes={"order": {date(2026, 10, 5)}}, today=TODAY)
    assert record_types_present(acme, record_types={"order", "ledgerline"}) == set()


def test_the_unmapped_ledger_is_what_the_last_recompute_found(acme):
    sales = make_metric(acme, slug="sales", record_type="ledgerline", aggregation="sum", value="credit - debit",
                filters={"accounts": {"include": ["70"]}}, date_field="date")
    make_kpi(acme, slug="revenue", formula="sales")
    account = LedgerAccount.objects.create(organization=acme, source="demo", external_id="acc-1", number="4000",
                                           label="Sales (US chart)")
    LedgerLine.objects.create(organization=acme, source="demo", external_id="line-1", account=account,
                              account_number="", date=date(2026, 10, 5), credit=Decimal("250"))
    kpi_values_recompute(org=acme, today=TODAY)

    summary = unmapped_ledger_for(acme, metrics=[sales])
    assert (summary.accounts, summary.amount) == (1, Decimal("250.00"))
    assert data_presence_for(acme).record_types == ["ledgerline"]


def test_a_company_never_recomputed_is_answered_from_its_records(acme):
    order(acme, placed=at(date(2026, 10, 5)))
    assert record_types_present(acme, record_types={"order", "invoice"}) == {"order"}
