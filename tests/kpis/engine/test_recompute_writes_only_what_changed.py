"""The recompute writes only the values (and forecasts, and ledger cache rows) whose figures changed, in its own
transaction: unchanged ones keep their row and their `computed_at` (the time they last changed, which the
dashboards' refresh compares), changed ones are updated in place, and those it no longer produces are deleted."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import Invoice
from kpis.models import Kpi, KpiForecast, KpiValue
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import customer, invoice, ledger

TODAY = date(2026, 6, 15)
WRITES = ("INSERT", "UPDATE", "DELETE")
# The engine's materialised figures: values, forecasts, the (month, account) cache of the ledger, and what records exist.
MATERIALISED = ('"kpis_kpivalue"', '"kpis_kpiforecast"', '"kpis_kpiledgermonth"', '"kpis_kpidatapresence"')


def _stored(org) -> dict:
    """(slug, grain, start, dimension) → (pk, value, reason, inputs, computed_at) of every value."""
    return {
        (v.kpi.slug, v.grain, v.period_start, v.dimension_value):
            (v.pk, v.value, v.no_value_reason, v.inputs, v.computed_at)
        for v in KpiValue.objects.for_org(org).select_related("kpi")
    }


def _writes_to_materialised_tables(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(WRITES) and any(t in q["sql"] for t in MATERIALISED)]


@pytest.fixture
def books(catalogue):
    org = catalogue
    retail, wholesale = customer(org, segment="Retail"), customer(org, segment="Wholesale")
    for month in (1, 2, 3, 4):
        ledger(org, "706000", date(2026, month, 10), credit=1000 * month)
        ledger(org, "512000", date(2026, month, 12), debit=900 * month)
        invoice(org, date(2026, month, 10), excl=1000 * month, customer=retail)
    invoice(org, date(2026, 3, 20), excl=50, customer=wholesale)
    report = kpi_values_recompute(org=org, today=TODAY)
    assert report.written > 1000 and report.forecasts > 50  # the first run writes everything
    return org


def test_a_recompute_that_changes_nothing_writes_no_row(books):
    before = _stored(books)
    forecasts_before = list(KpiForecast.objects.for_org(books).order_by("pk").values_list("pk", "computed_at"))

    with CaptureQueriesContext(connection) as ctx:
        report = kpi_values_recompute(org=books, today=TODAY)

    assert _writes_to_materialised_tables(ctx) == []
    assert (report.written, report.deleted) == (0, 0)
    assert report.kpis > 50 and report.forecasts > 50  # it did recompute everything
    assert _stored(books) == before  # same rows, same computed_at: nothing new for a dashboard to show
    assert list(KpiForecast.objects.for_org(books).order_by("pk").values_list("pk", "computed_at")) == forecasts_before


@pytest.mark.services
def test_an_unchanged_value_keeps_its_row_version_on_postgresql(books):
    def versions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM kpis_kpivalue WHERE organization_id = %s ORDER BY id",
                           [books.pk])
            return cursor.fetchall()

    before = versions()
    kpi_values_recompute(org=books, today=TODAY)
    assert versions() == before  # xmin moves with any UPDATE, even one that writes the same figures


def test_a_changed_input_updates_exactly_the_values_it_moves(books):
    before = _stored(books)
    ledger(books, "706000", date(2026, 2, 20), credit=100)  # revenue of February: 2,000 → 2,100

    report = kpi_values_recompute(org=books, changes={"ledgerline": {date(2026, 2, 20)}}, today=TODAY)

    after = _stored(books)
    assert set(after) == set(before)
    moved = {k for k in before if before[k][1:4] != after[k][1:4]}  # value, reason or inputs differ
    written = {k for k in before if before[k][4] != after[k][4]}  # computed_at moved
    assert written == moved
    assert len(written) == report.written
    assert {k[:3] for k in written} <= report.touched
    assert all(before[k][0] == after[k][0] for k in before)  # updated in place, no row replaced
    assert ("revenue", "month", date(2026, 2, 1), "") in written
    assert after[("revenue", "month", date(2026, 2, 1), "")][1] == D(2100)
    assert ("revenue", "quarter", date(2026, 1, 1), "") in written
    # Recomputed (the ledger changed, net cash reads it) but unchanged: a line on 706 is not cash.
    assert ("net_cash", "month", date(2026, 3, 1)) in report.touched
    assert ("net_cash", "month", date(2026, 3, 1), "") not in written
    assert ("revenue", "month", date(2026, 3, 1), "") not in written


def test_a_value_that_disappears_is_deleted(books):
    before = _stored(books)
    wholesale_march = ("revenue_by_segment", "month", date(2026, 3, 1), "Wholesale")
    assert before[wholesale_march][1] == D(50)
    by_segment = Kpi.objects.for_org(books).get(slug="revenue_by_segment")
    Invoice.objects.for_org(books).filter(amount_excl_tax=D(50)).delete()  # the only wholesale invoice

    report = kpi_values_recompute(org=books, changes={"invoice": {date(2026, 3, 20)}}, today=TODAY)

    after = _stored(books)
    gone = set(before) - set(after)
    assert gone == {
        ("revenue_by_segment", "month", date(2026, 3, 1), "Wholesale"),
        ("revenue_by_segment", "quarter", date(2026, 1, 1), "Wholesale"),
        ("revenue_by_segment", "year", date(2026, 1, 1), "Wholesale"),
    }
    assert report.deleted == 3
    assert set(after) - set(before) == set()
    retail_march = ("revenue_by_segment", "month", date(2026, 3, 1), "Retail")
    assert after[retail_march] == before[retail_march]  # still 3,000, untouched
    assert KpiValue.objects.for_org(books).filter(kpi=by_segment, dimension_value="Wholesale").count() == 0


def test_a_recompute_that_fails_leaves_the_previous_values(books, monkeypatch):
    from kpis import services

    before = _stored(books)
    ledger(books, "706000", date(2026, 2, 20), credit=100)
    real = services._forecasts_write  # runs after the values are written

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("worker killed after the writes")

    monkeypatch.setattr(services, "_forecasts_write", crash)
    with pytest.raises(RuntimeError):
        kpi_values_recompute(org=books, changes={"ledgerline": {date(2026, 2, 20)}}, today=TODAY)
    assert _stored(books) == before


def test_a_dashboard_sees_new_figures_only_after_a_recompute_that_changed_one(books):
    from accounts.capabilities import Role
    from dashboards.defaults import WidgetSpec
    from dashboards.models import Widget
    from dashboards.periods import dashboard_period
    from dashboards.widgets import dashboard_view
    from tests.factories import make_member

    ceo = make_member(books, role=Role.CEO)

    def stamp() -> str:  # what the page sends back as ?since= to ask whether anything was recomputed
        period = dashboard_period(books, key="month", today=TODAY)
        specs = [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug="revenue")]
        return dashboard_view(books, membership=ceo, specs=specs, period=period, today=TODAY).stamp

    drawn = stamp()
    assert drawn
    kpi_values_recompute(org=books, today=TODAY)
    assert stamp() == drawn  # the refresh answers 204: nothing new
    ledger(books, "706000", date(2026, 5, 20), credit=100)
    kpi_values_recompute(org=books, changes={"ledgerline": {date(2026, 5, 20)}}, today=TODAY)
    assert stamp() > drawn
