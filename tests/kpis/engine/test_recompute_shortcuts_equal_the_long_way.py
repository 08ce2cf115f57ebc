"""The recompute's shortcuts give the figures of the long way, exactly:

- the ledger over odd spans (the forecasts' "to date" and "same days") reads its whole months from the
  (month, account) cache and only the months a span starts or ends inside line by line;
- many independent filtered aggregates on one query are resolved once each (`_aggregate_row`), with the
  same SQL and the same figures as Django's `aggregate()`, which rewrites each against all the others;
- sums and counts of quarters and years are added up from one grouped query by month, not queried per grain."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Q, Sum
from django.test.utils import CaptureQueriesContext

from integrations.models import Invoice, LedgerLine, Payment
from kpis.engine.metrics import (
    _aggregate_row,
    compute_metrics,
    ledger_cache_refresh,
    ledger_coefficients,
    load_coverage,
)
from kpis.models import Metric
from kpis.periods import GRAINS, Period, periods_between
from kpis.services import catalogue_install
from tests.factories import make_org
from tests.kpis.engine.records import at, invoice, ledger, order, payment

DAYS = [date(2025, 1, 1), date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 15), date(2025, 6, 16),
        date(2025, 12, 31), date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 15),
        date(2026, 5, 16), date(2026, 5, 18), date(2026, 5, 31), date(2026, 6, 1), date(2026, 6, 14),
        date(2026, 6, 15), date(2026, 6, 16), date(2026, 6, 30)]

# The forecasts' spans on 15 June 2026 and other shapes: starting on the 1st, mid-month, one day, whole months.
SPANS = [(date(2026, 6, 1), date(2026, 6, 15)), (date(2026, 5, 1), date(2026, 5, 15)),
         (date(2025, 6, 1), date(2025, 6, 15)), (date(2026, 4, 1), date(2026, 6, 15)),
         (date(2025, 1, 1), date(2025, 6, 15)), (date(2026, 1, 1), date(2026, 6, 15)),
         (date(2026, 5, 18), date(2026, 5, 18)), (date(2026, 4, 1), date(2026, 5, 31)),
         (date(2025, 6, 16), date(2026, 5, 15))]


def _ledger_company():
    org = make_org()
    catalogue_install(org)
    for i, day in enumerate(DAYS):
        ledger(org, "706000", day, credit=1000 + i)
        ledger(org, "607000", day, debit=300 + i)
        ledger(org, "512000", day, debit=50 + i, credit=7)
        ledger(org, "411000", day, debit=20 * i)
    ledger(org, "706000", date(2026, 6, 15), credit=999, is_deleted=True)
    ledger(org, "706000", date(2026, 6, 17), credit=555)  # after today: no span reaches it
    return org


def test_the_ledger_over_odd_spans_is_the_same_from_the_month_cache(db):
    org = _ledger_company()
    ledger_cache_refresh(org, months=None)
    metrics = [m for m in Metric.objects.for_org(org) if ledger_coefficients(m) is not None]
    assert any(m.aggregation == "balance" for m in metrics) and any(m.aggregation == "sum" for m in metrics)
    windows = {f"w{i}": [Period(start, end, "month", 1)] for i, (start, end) in enumerate(SPANS)}

    coverage = load_coverage(org, metrics)

    live = compute_metrics(org, metrics=metrics, periods_by_grain=windows, coverage=coverage, totals_as_spans=True)
    with CaptureQueriesContext(connection) as ctx:
        cached = compute_metrics(org, metrics=metrics, periods_by_grain=windows, coverage=coverage,
                                 totals_as_spans=True, use_ledger_cache=True)

    assert cached == live
    assert live[("revenue_ledger", "w0", date(2026, 6, 1))][""] == Decimal(1013 + 1014 + 1015)
    lines = [q["sql"] for q in ctx.captured_queries if "integrations_ledgerline" in q["sql"]]
    assert len(lines) == 1  # the partial months, by day; every other month from the cache
    assert "2025-01-01" not in lines[0]


def test_many_filtered_aggregates_give_djangos_sql_and_figures(db):
    org = make_org()
    for i in range(6):
        inv = invoice(org, date(2026, 1 + i, 10), excl=100 + i, due=date(2026, 2 + i, 1))
        payment(org, inv, date(2026, 2 + i, 5), 30 + i)
    aggs = {}
    for month in range(1, 8):
        until = Q(issue_date__lte=date(2026, month, 28))
        aggs[f"s{month}"] = Sum("amount_incl_tax", filter=until & ~Q(is_credit_note=True))
        aggs[f"c{month}"] = Count("pk", filter=until)
        aggs[f"a{month}"] = Avg("amount_excl_tax", filter=until)
    aggs["none"] = Sum("amount_excl_tax", filter=Q(issue_date__gt=date(2030, 1, 1)))
    joined = {f"p{month}": Sum("amount", filter=Q(invoice__issue_date__lte=date(2026, month, 28),
                                                   invoice__is_deleted=False, date__lte=date(2026, month, 28)))
              for month in range(1, 8)}

    for qs, group in ((Invoice.objects.for_org(org), aggs), (Payment.objects.for_org(org), joined),
                      (Invoice.objects.for_org(org).filter(kind="nothing"), aggs)):
        with CaptureQueriesContext(connection) as theirs:
            expected = qs.aggregate(**group)
        with CaptureQueriesContext(connection) as ours:
            got = _aggregate_row(qs, group)
        assert got == expected
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in theirs.captured_queries]
    assert expected["c7"] == 0 and expected["s7"] is None


def test_an_annotated_query_keeps_djangos_path(db):
    org = make_org()
    ledger(org, "706000", date(2026, 1, 5), credit=10)
    qs = LedgerLine.objects.for_org(org).annotate(twice=Sum("credit") * 2)
    assert _aggregate_row(qs.values("account_number").order_by(), {"n": Count("account_number")}) == {"n": 1}


def test_quarters_and_years_add_up_from_months_as_their_own_queries_say(db, monkeypatch):
    from kpis.engine import metrics

    org = make_org(fiscal_year_start_month=4)
    catalogue_install(org)
    for i, day in enumerate([date(2024, 11, 30), date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1),
                             date(2025, 7, 15), date(2025, 12, 31), date(2026, 2, 1), date(2026, 5, 20)]):
        invoice(org, day, excl=100 + i, due=day)
        invoice(org, day, excl=7, kind="supplier")
        order(org, placed=at(day), shipped=at(day, 15), promised=day, delivered=day, amount=40 + i)
    metrics_rows = [m for m in Metric.objects.for_org(org) if m.record_type in ("invoice", "order")]
    assert {m.aggregation for m in metrics_rows} >= {"sum", "count", "avg"}
    periods = {g: periods_between(date(2024, 11, 1), date(2026, 6, 15), g, 4) for g in GRAINS}
    coverage = load_coverage(org, metrics_rows)

    with CaptureQueriesContext(connection) as rolled_up:
        quick = compute_metrics(org, metrics=metrics_rows, periods_by_grain=periods, coverage=coverage)
    monkeypatch.setattr(metrics, "_rolls_up", lambda *args: False)
    with CaptureQueriesContext(connection) as per_grain:
        slow = compute_metrics(org, metrics=metrics_rows, periods_by_grain=periods, coverage=coverage)

    assert quick == slow
    summed = [m.slug for m in metrics_rows if m.aggregation == "sum" and not m.window_months]
    assert any(quick[(slug, "year", date(2025, 4, 1))][""] > 0 for slug in summed)
    assert len(rolled_up.captured_queries) < len(per_grain.captured_queries)
