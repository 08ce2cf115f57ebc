"""Lineage: the canonical records behind each metric of a KPI value, paginated, never another tenant's."""

from datetime import date

from kpis.periods import period_containing
from kpis.selectors import kpi_by_slug, kpi_lineage
from kpis.services import catalogue_install
from tests.kpis.engine.records import customer, invoice, ledger

MARCH = period_containing(date(2026, 3, 1))


def test_lineage_lists_the_records_of_each_metric_page_by_page(catalogue, globex):
    lines = [ledger(catalogue, "706000", date(2026, 3, d), credit=100) for d in (3, 9, 27)]
    ledger(catalogue, "706000", date(2026, 4, 1), credit=100)  # another month
    ledger(catalogue, "641000", date(2026, 3, 3), debit=100)  # another account class
    catalogue_install(globex)
    ledger(globex, "706000", date(2026, 3, 3), credit=100)
    revenue = kpi_by_slug(catalogue, slug="revenue")

    first = kpi_lineage(catalogue, kpi=revenue, period=MARCH, metric_slug="revenue_ledger", page_size=2)
    assert [(p.metric.slug, p.total, p.has_next) for p in first] == [("revenue_ledger", 3, True)]
    assert first[0].records == [lines[2], lines[1]]  # newest first
    second = kpi_lineage(
        catalogue, kpi=revenue, period=MARCH, metric_slug="revenue_ledger", page=2, page_size=2
    )
    assert second[0].records == [lines[0]]
    assert not second[0].has_next


def test_lineage_covers_every_metric_of_the_kpi(catalogue):
    revenue = kpi_by_slug(catalogue, slug="revenue")
    assert [p.metric.slug for p in kpi_lineage(catalogue, kpi=revenue, period=MARCH)] == [
        "revenue_invoices",
        "revenue_ledger",
    ]


def test_lineage_of_a_stock_includes_earlier_records(catalogue):
    jan = ledger(catalogue, "512000", date(2026, 1, 5), debit=100)
    mar = ledger(catalogue, "512000", date(2026, 3, 5), debit=100)
    cash = kpi_by_slug(catalogue, slug="net_cash")
    pages = kpi_lineage(catalogue, kpi=cash, period=MARCH, metric_slug="cash_512")
    assert pages[0].records == [mar, jan]


def test_lineage_of_one_segment(catalogue):
    retail, other = customer(catalogue, segment="retail"), customer(catalogue, segment="wholesale")
    mine = invoice(catalogue, date(2026, 3, 5), excl=100, customer=retail)
    invoice(catalogue, date(2026, 3, 5), excl=100, customer=other)
    kpi = kpi_by_slug(catalogue, slug="revenue_by_segment")
    pages = kpi_lineage(catalogue, kpi=kpi, period=MARCH, dimension_value="retail")
    assert pages[0].records == [mine]


def test_lineage_makes_two_queries_per_metric_whatever_the_records(catalogue, django_assert_num_queries):
    for d in range(1, 29):
        ledger(catalogue, "706000", date(2026, 3, d), credit=10)
    revenue = kpi_by_slug(catalogue, slug="revenue")
    # 2 queries to read the KPIs and metrics, 1 for which source the value used (listed first), then a count
    # and a page for each of the 2 metrics
    with django_assert_num_queries(7):
        pages = kpi_lineage(catalogue, kpi=revenue, period=MARCH, page_size=10)
    assert [len(p.records) for p in pages] == [0, 10]
