"""A sync that touches records of some days rewrites only the periods containing them, and equals a full recompute."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.models import Kpi, KpiValue
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import deal, invoice, ledger

TODAY = date(2026, 6, 15)


def _snapshot(org):
    return {
        (v.kpi.slug, v.grain, v.period_start, v.dimension_value): (v.value, v.no_value_reason, v.inputs)
        for v in KpiValue.objects.for_org(org).select_related("kpi")
    }


@pytest.fixture
def books(catalogue):
    org = catalogue
    for month in (1, 2, 3, 4):
        ledger(org, "706000", date(2026, month, 10), credit=1000 * month)
        ledger(org, "512000", date(2026, month, 12), debit=900 * month)
        invoice(org, date(2026, month, 10), excl=1000 * month)
    deal(org, amount=500, created=date(2026, 1, 5), closed=date(2026, 2, 5), won=True)
    kpi_values_recompute(org=org, today=TODAY)
    return org


def test_only_the_periods_containing_the_changed_day_are_rewritten(books):
    before = {
        (v.kpi.slug, v.grain, v.period_start): (v.pk, v.computed_at)
        for v in KpiValue.objects.for_org(books).filter(dimension_value="").select_related("kpi")
    }
    ledger(books, "706000", date(2026, 2, 20), credit=100)

    report = kpi_values_recompute(org=books, changes={"ledgerline": {date(2026, 2, 20)}}, today=TODAY)

    touched_revenue = {(g, p) for s, g, p in report.touched if s == "revenue"}
    assert touched_revenue == {
        ("month", date(2026, 2, 1)),
        ("quarter", date(2026, 1, 1)),
        ("year", date(2026, 1, 1)),
    }
    # A stock (net cash on 512) rolls forward: every month from February to June, Q1, Q2 and the year.
    touched_cash = {(g, p) for s, g, p in report.touched if s == "net_cash"}
    assert touched_cash == {("month", date(2026, m, 1)) for m in range(2, 7)} | {
        ("quarter", date(2026, 1, 1)),
        ("quarter", date(2026, 4, 1)),
        ("year", date(2026, 1, 1)),
    }
    # KPIs that read no ledger line are not rewritten at all.
    assert not {s for s, _g, _p in report.touched} & {"win_rate", "mrr", "average_deal_size"}

    after = {
        (v.kpi.slug, v.grain, v.period_start): (v.pk, v.computed_at)
        for v in KpiValue.objects.for_org(books).filter(dimension_value="").select_related("kpi")
    }
    # Only recomputed values may be written (those whose figures changed: net cash is recomputed, not moved).
    written = {key for key in before if after[key] != before[key]}
    assert ("revenue", "month", date(2026, 2, 1)) in written
    assert written <= report.touched
    assert ("net_cash", "month", date(2026, 2, 1)) not in written
    revenue = Kpi.objects.for_org(books).get(slug="revenue")
    feb = KpiValue.objects.for_org(books).get(kpi=revenue, grain="month", period_start=date(2026, 2, 1))
    assert feb.value == D("2100")  # 2,000 + 100


def test_incremental_recompute_equals_a_full_recompute(books):
    ledger(books, "706000", date(2026, 2, 20), credit=100)
    ledger(books, "512000", date(2026, 3, 2), credit=50)
    invoice(books, date(2026, 4, 2), excl=-300, credit_note=True)
    deal(books, amount=700, created=date(2026, 3, 1), closed=date(2026, 5, 5), won=True)
    kpi_values_recompute(
        org=books,
        today=TODAY,
        changes={
            "ledgerline": {date(2026, 2, 20), date(2026, 3, 2)},
            "invoice": {date(2026, 4, 2)},
            "deal": {date(2026, 5, 5)},
        },
    )
    incremental = _snapshot(books)

    kpi_values_recompute(org=books, today=TODAY)

    assert _snapshot(books) == incremental


def test_a_change_to_an_unused_record_type_rewrites_nothing(books):
    report = kpi_values_recompute(org=books, changes={"contact": {date(2026, 2, 20)}}, today=TODAY)
    assert report.written == 0
    assert report.touched == set()


def test_a_flow_dated_by_a_secondary_field_recomputes_the_later_periods(catalogue):
    from tests.kpis.engine.records import at, order

    kpi_values_recompute(org=catalogue, today=TODAY)
    # The sync reports the day the order was placed (31 March); it shipped on 2 April.
    order(catalogue, placed=at(date(2026, 3, 31), 9), shipped=at(date(2026, 4, 2), 9))
    report = kpi_values_recompute(org=catalogue, changes={"order": {date(2026, 3, 31)}}, today=TODAY)
    shipped = Kpi.objects.for_org(catalogue).get(slug="throughput")
    april = KpiValue.objects.for_org(catalogue).get(kpi=shipped, grain="month", period_start=date(2026, 4, 1))
    assert ("throughput", "month", date(2026, 4, 1)) in report.touched
    assert april.value == D("0.233333")  # 1 order ÷ (30 ÷ 7 weeks)


def test_an_incremental_run_rereads_only_the_ledger_months_the_sync_touched(books):
    revenue = Kpi.objects.for_org(books).get(slug="revenue")

    def value(grain, start):
        return KpiValue.objects.for_org(books).get(kpi=revenue, grain=grain, period_start=start).value

    ledger(books, "706000", date(2026, 1, 20), credit=7)  # a January line nobody reported
    ledger(books, "706000", date(2026, 2, 20), credit=100)
    kpi_values_recompute(org=books, changes={"ledgerline": {date(2026, 2, 20)}}, today=TODAY)
    assert value("month", date(2026, 2, 1)) == D("2100")
    # Q1 is rebuilt from the cached January (1,000) + the re-read February (2,100) + March (3,000)
    assert value("quarter", date(2026, 1, 1)) == D("6100")
    kpi_values_recompute(org=books, today=TODAY)  # the full recompute repairs from the ledger itself
    assert value("quarter", date(2026, 1, 1)) == D("6107")


def test_a_new_month_gets_every_kpi_at_the_first_incremental_run(books):
    july = date(2026, 7, 3)
    ledger(books, "706000", july, credit=50)
    report = kpi_values_recompute(org=books, changes={"ledgerline": {july}}, today=july)
    assert ("win_rate", "month", date(2026, 7, 1)) in report.touched  # reads deals, not ledger lines
    assert ("win_rate", "month", date(2026, 6, 1)) not in report.touched
