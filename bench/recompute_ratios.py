"""Ratios of the KPI engine against the hand-written SQL floor (bench/recompute_floor.py), measured in one run,
alternating, medians (the machine is shared: only ratios of the same run mean something).

Two tenants from bench/scale_data.py: the *bench tenant* (ledger lines and invoices only) and a *shop*
(ledger, invoices, orders, returns, deals). For each it prints:
- the floor's time, the engine's metric stage on the same metrics (`compute_metrics`) and the whole full
  recompute (formulas, forecasts and writes included), and their ratios to the floor;
- the incremental recompute after a 1,000-line ledger sync on three recent days, against re-aggregating
  the touched months (one GROUP BY month, account over those months: what maintaining a cache costs);
- a check that the engine and the floor agree on every covered metric and period (else it stops).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_perf uv run python bench/recompute_ratios.py --quick
    DATABASE_URL=… uv run python bench/recompute_ratios.py --ledger 1000000 --invoices 100000 --orders 200000 --deals 50000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import ACCOUNTS, Scale, analyze, tenant_create, tenants_drop  # noqa: E402  (sets Django up)

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from recompute_floor import COVERED, floor_values  # noqa: E402
from integrations.models import LedgerLine  # noqa: E402
from kpis.engine.metrics import TOTAL, compute_metrics, load_coverage  # noqa: E402
from kpis.models import Metric  # noqa: E402
from kpis.periods import GRAINS, periods_between  # noqa: E402
from kpis.services import _range_start, kpi_values_recompute  # noqa: E402

TOLERANCE = Decimal("0.000001")  # averages and percentiles: Python's and PostgreSQL's rounding differ past it


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def engine_metrics(org, today: date):
    """The engine's metric stage on the covered metrics, for the periods a full recompute computes."""
    metrics = list(Metric.objects.for_org(org).filter(slug__in=COVERED))
    coverage = load_coverage(org, metrics)
    start = _range_start(coverage, today)
    periods = {g: periods_between(start, today, g, org.fiscal_year_start_month) for g in GRAINS}
    return compute_metrics(org, metrics=metrics, periods_by_grain=periods, coverage=coverage)


def check_equal(org, today: date) -> int:
    """Compare engine and floor on every covered metric and period; returns how many values agree."""
    engine = engine_metrics(org, today)
    floor = floor_values(org.pk, today=today)
    agreed, wrong = 0, []
    for (slug, grain, start), cell in engine.items():
        mine = cell.get(TOTAL)
        theirs = floor.get((slug, grain, start))
        if not isinstance(mine, Decimal):
            mine = None
        if mine is not None and theirs is None and mine == 0:
            theirs = Decimal(0)  # an additive metric with no row: the engine says 0, the floor has no group
        same = (mine is None and theirs is None) or (
            mine is not None and theirs is not None and abs(mine - theirs) <= TOLERANCE * max(1, abs(theirs)))
        if same:
            agreed += 1
        else:
            wrong.append((slug, grain, start, mine, theirs))
    if wrong:
        for w in wrong[:15]:
            print("  DIFFERS", *w)
        raise SystemExit(f"{len(wrong)} values differ between the engine and the floor")
    return agreed


def retouch(org, today: date, tag: str) -> set[date]:
    """A 1,000-line ledger sync on three recent days; returns the days."""
    days = {today - timedelta(days=d) for d in (2, 9, 40)}
    ordered = sorted(days)
    LedgerLine.objects.bulk_create([
        LedgerLine(organization=org, source="demo", external_id=f"s{tag}-{i}", account_number=ACCOUNTS[i % 20],
                   date=ordered[i % 3], debit=Decimal(10), credit=Decimal(0)) for i in range(1000)])
    return days


def reaggregate_months(org_id: int, days: set[date]) -> None:
    """The incremental floor: the touched months of the ledger grouped by (month, account), nothing else."""
    months = sorted({d.replace(day=1) for d in days})
    with connection.cursor() as c:
        c.execute("""SELECT date_trunc('month', date), account_number, sum(debit), sum(credit)
                     FROM integrations_ledgerline WHERE organization_id = %s AND NOT is_deleted
                          AND date_trunc('month', date)::date = ANY(%s) GROUP BY 1, 2""", [org_id, months])
        c.fetchall()


def measure(name: str, org, today: date, runs: int) -> dict:
    kpi_values_recompute(org=org, today=today)  # warm: values exist, caches and plans are built
    agreed = check_equal(org, today)
    floor_t, metric_t, full_t = [], [], []
    for _ in range(runs):  # alternating, so a neighbour's burst hits each side alike
        floor_t.append(_timed(lambda: floor_values(org.pk, today=today)))
        metric_t.append(_timed(lambda: engine_metrics(org, today)))
        full_t.append(_timed(lambda: kpi_values_recompute(org=org, today=today)))
    inc_t, again_t = [], []
    for r in range(runs):
        with transaction.atomic():
            days = retouch(org, today, f"{r}")
        again_t.append(_timed(lambda days=days: reaggregate_months(org.pk, days)))
        inc_t.append(_timed(lambda days=days: kpi_values_recompute(org=org, today=today,
                                                                   changes={"ledgerline": days})))
    out = {k: statistics.median(v) for k, v in
           {"floor": floor_t, "metrics": metric_t, "full": full_t, "inc": inc_t, "again": again_t}.items()}
    print(f"{name}: {agreed:,} metric values equal to the floor")
    print(f"  floor {out['floor'] * 1000:8.0f} ms | engine metric stage {out['metrics'] * 1000:8.0f} ms "
          f"= {out['metrics'] / out['floor']:.2f}× | full recompute {out['full'] * 1000:8.0f} ms "
          f"= {out['full'] / out['floor']:.2f}× the floor (goal ≤ 1.5×)")
    print(f"  incremental after a 1,000-line sync {out['inc'] * 1000:6.0f} ms | re-aggregating the touched "
          f"months {out['again'] * 1000:5.0f} ms = {out['inc'] / out['again']:.1f}× (goal ≤ 2×; ≤ 1 s in the task)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small tenants (a minute)")
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.ledger, args.invoices, args.orders, args.deals, args.runs = 50_000, 5_000, 10_000, 2_500, 3
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://…"
    today = timezone.localdate()
    t0 = time.monotonic()
    bench = tenant_create(1, Scale(args.ledger, args.invoices, 0, 0), today=today)
    shop = tenant_create(2, Scale(args.ledger // 10, args.invoices, args.orders, args.deals), today=today)
    analyze()
    print(f"seeded in {time.monotonic() - t0:.0f} s: bench tenant {args.ledger:,} ledger lines + {args.invoices:,} "
          f"invoices; shop {args.ledger // 10:,} lines, {args.invoices:,} invoices, {args.orders:,} orders, "
          f"{args.deals:,} deals; {args.runs} alternating runs, medians")
    try:
        measure("bench tenant", bench, today, args.runs)
        measure("shop", shop, today, args.runs)
    finally:
        if not args.keep:
            tenants_drop()


if __name__ == "__main__":
    main()
