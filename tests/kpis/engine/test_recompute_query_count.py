"""The number of queries of a recompute does not grow with the number of periods or records."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.services import catalogue_install, kpi_values_recompute
from tests.factories import make_org
from tests.kpis.engine.records import deal, invoice, ledger

TODAY = date(2026, 6, 15)


def _reading_queries(org, **kw) -> tuple[int, int]:
    """(queries other than the INSERT batches of the values written, values written)."""
    with CaptureQueriesContext(connection) as ctx:
        report = kpi_values_recompute(org=org, today=TODAY, **kw)
    return sum(
        1 for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT")
    ), report.written


def _company(months: int, per_month: int):
    org = make_org()
    catalogue_install(org)
    for m in range(months):
        day = date(2026 - (m // 12), 12 - (m % 12) if m >= 6 else 6 - m, 10)
        for i in range(per_month):
            ledger(org, "706000", day, credit=100 + i)
            ledger(org, "512000", day, debit=90 + i)
            invoice(org, day, excl=100 + i)
            deal(org, amount=10, created=day, closed=day, won=bool(i % 2), lost=not i % 2)
    return org


def test_full_recompute_queries_do_not_grow_with_periods_or_records(db):
    small, small_rows = _reading_queries(_company(months=2, per_month=1))
    large, large_rows = _reading_queries(_company(months=30, per_month=6))
    assert large_rows > 1.5 * small_rows  # many more periods (24 months against 12)…
    assert large == small  # …the same queries


def test_incremental_recompute_queries_do_not_grow_with_the_changed_days(db):
    org = _company(months=12, per_month=2)
    kpi_values_recompute(org=org, today=TODAY)
    one, _ = _reading_queries(org, changes={"ledgerline": {date(2026, 3, 10)}})
    many, _ = _reading_queries(org, changes={"ledgerline": {date(2025, m, 10) for m in range(7, 13)}})
    assert many == one
