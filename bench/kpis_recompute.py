"""Benchmark of the KPI engine's recompute (QUALITY.md: full ≤ 10 s per tenant with 1 M source rows,
incremental ≤ 1 s after a 1 k-row sync).

Seeds N ledger lines (and N/10 invoices) for one throw-away tenant in the database of the current
settings, then times a full recompute and an incremental one after a 1,000-row "sync".

    uv run python bench/kpis_recompute.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_kpis uv run python bench/kpis_recompute.py

The tenant (slug `bench-kpis`) is deleted at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from integrations.models import Invoice, LedgerLine  # noqa: E402
from kpis.services import catalogue_install, kpi_values_recompute  # noqa: E402

ACCOUNTS = [
    "706000",
    "707000",
    "709000",
    "607000",
    "603700",
    "601000",
    "622600",
    "635100",
    "641000",
    "645000",
    "681100",
    "661100",
    "512000",
    "411000",
    "401000",
    "445710",
    "671000",
    "695000",
    "713500",
    "740000",
]
SLUG = "bench-kpis"


def seed(org: Organization, rows: int, today: date, months: int, rng: random.Random) -> None:
    start = today - timedelta(days=30 * months)
    span = (today - start).days
    batch = []
    t0 = time.monotonic()
    if connection.vendor == "postgresql":
        _seed_postgres(org, rows, start, span)
        print(f"seeded {rows:,} ledger lines and {rows // 10:,} invoices in {time.monotonic() - t0:.1f} s")
        return
    for i in range(rows):
        day = start + timedelta(days=rng.randrange(span))
        amount = Decimal(rng.randrange(100, 500_000)) / 100
        debit, credit = (amount, Decimal(0)) if i % 2 else (Decimal(0), amount)
        batch.append(
            LedgerLine(
                organization=org,
                source="demo",
                external_id=f"b{i}",
                account_number=ACCOUNTS[i % len(ACCOUNTS)],
                date=day,
                debit=debit,
                credit=credit,
            )
        )
        if len(batch) == 5000:
            LedgerLine.objects.bulk_create(batch)
            batch = []
    LedgerLine.objects.bulk_create(batch)
    invoices = [
        Invoice(
            organization=org,
            source="demo",
            external_id=f"i{i}",
            kind="customer",
            issue_date=start + timedelta(days=rng.randrange(span)),
            amount_excl_tax=Decimal(1000),
            amount_incl_tax=Decimal(1200),
            currency_amount_incl_tax=Decimal(1200),
        )
        for i in range(rows // 10)
    ]
    Invoice.objects.bulk_create(invoices, batch_size=5000)
    print(f"seeded {rows:,} ledger lines and {len(invoices):,} invoices in {time.monotonic() - t0:.1f} s")


def _seed_postgres(org: Organization, rows: int, start: date, span: int) -> None:
    """The same shape of data, generated inside PostgreSQL (a million rows in seconds)."""
    accounts = "ARRAY[" + ",".join(f"'{a}'" for a in ACCOUNTS) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO integrations_ledgerline (organization_id, source, external_id, is_deleted, synced_at,
                    account_number, date, journal, label, debit, credit, entry_external_id)
                SELECT %s, 'demo', 'b' || i, false, now(), ({accounts})[1 + i %% {len(ACCOUNTS)}],
                       %s::date + (hashint4(i) %% %s + %s) %% %s, '', '',
                       CASE WHEN i %% 2 = 1 THEN (1 + abs(hashint4(i * 7)) %% 500000) / 100.0 ELSE 0 END,
                       CASE WHEN i %% 2 = 0 THEN (1 + abs(hashint4(i * 7)) %% 500000) / 100.0 ELSE 0 END, ''
                FROM generate_series(0, %s - 1) AS i""",
            [org.pk, start, span, span, span, rows],
        )
        cursor.execute(
            """INSERT INTO integrations_invoice (organization_id, source, external_id, is_deleted, synced_at, kind,
                    number, issue_date, currency, exchange_rate, amount_excl_tax, amount_incl_tax,
                    currency_amount_incl_tax, remaining_amount_incl_tax, status, is_credit_note)
                SELECT %s, 'demo', 'i' || i, false, now(), 'customer', '', %s::date + (i * 7919) %% %s, 'EUR', 1,
                       1000, 1200, 1200, 0, '', false
                FROM generate_series(0, %s - 1) AS i""",
            [org.pk, start, span, rows // 10],
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--queries", action="store_true", help="print the slowest queries of the full recompute"
    )
    args = parser.parse_args()
    rng = random.Random(42)
    today = timezone.localdate()
    Organization.objects.filter(slug=SLUG).delete()  # scoped: the benchmark's own tenant
    org = Organization.objects.create(slug=SLUG, name="Benchmark")
    try:
        with transaction.atomic():
            seed(org, args.rows, today, args.months, rng)
        catalogue_install(org)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE integrations_ledgerline; ANALYZE integrations_invoice")

        from django.test.utils import CaptureQueriesContext

        t0 = time.monotonic()
        with CaptureQueriesContext(connection) as captured:
            full = kpi_values_recompute(org=org, today=today)
        full_s = time.monotonic() - t0
        if args.queries:
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:8]
            print(f"{len(captured.captured_queries)} queries; slowest:")
            for q in slowest:
                print(f"  {q['time']} s  {q['sql'][:160]}")
        source_rows = args.rows + args.rows // 10
        print(
            f"full recompute: {full_s:.2f} s, {full.written:,} values written, "
            f"{source_rows / full_s:,.0f} source rows/s ({connection.vendor})"
        )

        # A 1,000-row sync on three recent days.
        days = [today - timedelta(days=d) for d in (2, 9, 40)]
        LedgerLine.objects.bulk_create(
            [
                LedgerLine(
                    organization=org,
                    source="demo",
                    external_id=f"s{i}",
                    account_number=ACCOUNTS[i % 20],
                    date=days[i % 3],
                    debit=Decimal(10),
                    credit=Decimal(0),
                )
                for i in range(1000)
            ]
        )
        t0 = time.monotonic()
        with CaptureQueriesContext(connection) as captured:
            inc = kpi_values_recompute(org=org, today=today, changes={"ledgerline": set(days)})
        inc_s = time.monotonic() - t0
        if args.queries:
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
            print(f"incremental: {len(captured.captured_queries)} queries; slowest:")
            for q in slowest:
                print(f"  {q['time']} s  {q['sql'][:160]}")
        print(
            f"incremental recompute after a 1,000-row sync: {inc_s:.2f} s, {inc.written:,} values written "
            f"({len(inc.touched):,} KPI periods)"
        )
        print(
            f"targets: full ≤ 10 s per 1 M rows → {'OK' if full_s * 1_000_000 / source_rows <= 10 else 'MISSED'}"
            f" (scaled {full_s * 1_000_000 / source_rows:.1f} s); incremental ≤ 1 s → "
            f"{'OK' if inc_s <= 1 else 'MISSED'}"
        )
    finally:
        if not args.keep:
            Organization.objects.filter(pk=org.pk).delete()  # scoped: the benchmark's own tenant


if __name__ == "__main__":
    main()
