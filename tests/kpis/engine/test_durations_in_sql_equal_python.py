"""On PostgreSQL, durations and percentiles are aggregated in SQL; they equal the Python path SQLite uses, to the
stored precision, for every catalogue order and deal metric, every grain, and open receivables less payments."""

from datetime import date, timedelta

import pytest

from kpis.engine import metrics as engine
from kpis.engine.metrics import TOTAL, compute_metrics
from kpis.models import Metric
from kpis.periods import GRAINS, periods_between
from kpis.services import catalogue_install
from tests.factories import make_org
from tests.kpis.engine.records import at, deal, invoice, order, payment

pytestmark = pytest.mark.services  # the SQL path exists on PostgreSQL only

TODAY = date(2026, 6, 15)
SLUGS = ["processing_hours_mean", "processing_hours_median", "processing_hours_p90", "delivery_delay_days",
         "late_delivery_share", "sales_cycle_days"]


def _values(org, slugs, *, python: bool, monkeypatch) -> dict:
    if python:
        monkeypatch.setattr(engine, "in_database", lambda metric: False)
    metrics = list(Metric.objects.for_org(org).filter(slug__in=slugs))
    periods = {g: periods_between(date(2025, 7, 1), TODAY, g, org.fiscal_year_start_month) for g in GRAINS}
    out = compute_metrics(org, metrics=metrics, periods_by_grain=periods)
    monkeypatch.undo()
    return {k: cell[TOTAL].quantize(engine.Decimal("0.000001")) if isinstance(cell[TOTAL], engine.Decimal)
            else None for k, cell in out.items()}


def test_order_and_deal_durations_in_sql_equal_the_python_path(db, monkeypatch):
    org = make_org()
    catalogue_install(org)
    for i in range(60):
        day = date(2025, 7, 1) + timedelta(days=5 * i)
        placed = at(day, hour=i % 24, minute=(7 * i) % 60)
        shipped = placed + timedelta(hours=1 + (i * 37) % 90, minutes=(i * 13) % 60) if i % 7 else None
        order(org, placed=placed, shipped=shipped, promised=day + timedelta(days=3),
              delivered=(day + timedelta(days=(i * 3) % 9)) if shipped else None)
        deal(org, amount=100 + i, created=day - timedelta(days=(i * 11) % 80), closed=day, won=bool(i % 3),
             lost=not i % 3)
    in_sql = _values(org, SLUGS, python=False, monkeypatch=monkeypatch)
    in_python = _values(org, SLUGS, python=True, monkeypatch=monkeypatch)
    assert sum(v is not None for v in in_sql.values()) > 80  # months, quarters and years with values
    assert in_sql == in_python


def test_open_receivables_take_off_the_payments_dated_by_each_month_end(db):
    org = make_org()
    catalogue_install(org)
    first = invoice(org, date(2026, 1, 10), excl=1000, incl=1200, due=date(2026, 2, 10))
    invoice(org, date(2026, 2, 5), excl=500, incl=600, due=date(2026, 3, 5))
    payment(org, first, date(2026, 2, 20), 200)
    payment(org, first, date(2026, 4, 2), 300)
    metric = Metric.objects.for_org(org).get(slug="open_receivables")
    months = periods_between(date(2026, 1, 1), date(2026, 4, 30), "month", 1)
    out = compute_metrics(org, metrics=[metric], periods_by_grain={"month": months}, totals_as_spans=True)
    by_month = {start.month: cell[TOTAL] for (_slug, _grain, start), cell in out.items()}
    assert by_month == {1: 1200, 2: 1200 + 600 - 200, 3: 1600, 4: 1600 - 300}
