"""Deterministic scale data for the benchmarks: N tenants, each with ledger lines, invoices, orders, returns
and deals, generated inside PostgreSQL (a million rows in seconds).

Every value is a hash of the row number and the tenant's number (`hashint4`), so two runs with the same
arguments write the same rows, whatever the machine. Used by `bench/recompute_ratios.py` and
`bench/tenant_scale.py`; on its own it seeds tenants and keeps them:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_perf \
        uv run python bench/scale_data.py --tenants 3 --ledger 100000 --invoices 10000 --orders 20000

Tenants are named `bench-scale-<n>`; `--drop` deletes them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402

# The accounts a small French company books on: sales, purchases, charges, cash, receivables, payables.
ACCOUNTS = [
    "706000", "707000", "709000", "607000", "603700", "601000", "622600", "635100", "641000", "645000",
    "681100", "661100", "512000", "411000", "401000", "445710", "671000", "695000", "713500", "740000",
]
CHANNELS = ["web", "marketplace", "shop", "referral", "ads"]
PREFIX = "bench-scale-"
PACKS = ["general", "commerce", "saas"]


@dataclass(frozen=True)
class Scale:
    """Rows per tenant; the issue's largest tenant is Scale(1_000_000, 100_000, 200_000, 50_000)."""

    ledger: int = 100_000
    invoices: int = 10_000
    orders: int = 20_000
    deals: int = 5_000
    months: int = 24

    @property
    def returns(self) -> int:
        return self.orders // 20

    @property
    def rows(self) -> int:
        return self.ledger + self.invoices + self.orders + self.deals + self.returns


def _h(expr: str, salt: int) -> str:
    """A non-negative deterministic hash of a SQL integer expression (0 … 2^31-1)."""
    return f"(hashint4(({expr}) * 31 + {salt})::bigint & 2147483647)"


def seed_tenant(org: Organization, scale: Scale, *, number: int, today: date) -> None:
    """Write `scale` rows of each record type for `org` (PostgreSQL only): one INSERT … SELECT per type."""
    assert connection.vendor == "postgresql", "the scale generator writes with generate_series"
    start = today - timedelta(days=30 * scale.months)
    span = (today - start).days
    accounts = "ARRAY[" + ",".join(f"'{a}'" for a in ACCOUNTS) + "]"
    channels = "ARRAY[" + ",".join(f"'{c}'" for c in CHANNELS) + "]"
    s = number * 7919
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO integrations_ledgerline (organization_id, source, external_id, is_deleted, synced_at,
                    account_number, date, journal, label, debit, credit, entry_external_id)
                SELECT %(org)s, 'demo', 'l' || i, false, now(), ({accounts})[1 + {_h('i', s)} %% {len(ACCOUNTS)}],
                       %(start)s::date + ({_h('i', s + 1)} %% %(span)s)::int, '', '',
                       CASE WHEN i %% 2 = 1 THEN (1 + {_h('i', s + 2)} %% 500000) / 100.0 ELSE 0 END,
                       CASE WHEN i %% 2 = 0 THEN (1 + {_h('i', s + 2)} %% 500000) / 100.0 ELSE 0 END, ''
                FROM generate_series(0, %(n)s - 1) AS i""",
            {"org": org.pk, "start": start, "span": span, "n": scale.ledger},
        )
        # Customer invoices due in 30 days; one in twenty is a credit note, one in fifty is void.
        cursor.execute(
            f"""INSERT INTO integrations_invoice (organization_id, source, external_id, is_deleted, synced_at, kind,
                    number, issue_date, due_date, paid_date, currency, exchange_rate, amount_excl_tax,
                    amount_incl_tax, currency_amount_incl_tax, remaining_amount_incl_tax, status,
                    is_credit_note, is_void)
                SELECT %(org)s, 'demo', 'i' || i, false, now(), 'customer', 'F' || i, d, d + 30,
                       CASE WHEN paid THEN d + ({_h('i', s + 4)} %% 75)::int END, 'EUR', 1,
                       sign * amount, sign * amount * 1.2, sign * amount * 1.2,
                       CASE WHEN paid THEN 0 ELSE sign * amount * 1.2 END, '', i %% 20 = 0, i %% 50 = 7
                FROM (SELECT i, %(start)s::date + ({_h('i', s + 3)} %% %(span)s)::int AS d,
                             {_h('i', s + 5)} %% 10 < 8 AS paid,
                             CASE WHEN i %% 20 = 0 THEN -1 ELSE 1 END AS sign,
                             (100 + {_h('i', s + 6)} %% 900000) / 100.0 AS amount
                      FROM generate_series(0, %(n)s - 1) AS i) AS g""",
            {"org": org.pk, "start": start, "span": span, "n": scale.invoices},
        )
        # Orders: shipped within 4 days (one in twenty not yet), delivered up to a week after, promised in 5 days.
        cursor.execute(
            f"""INSERT INTO integrations_order (organization_id, source, external_id, is_deleted, synced_at, number,
                    channel, placed_at, shipped_at, promised_on, delivered_on, units, amount_excl_tax,
                    fulfilment_cost)
                SELECT %(org)s, 'demo', 'o' || i, false, now(), 'C' || i, ({channels})[1 + i %% {len(CHANNELS)}],
                       placed, shipped, (placed::date + 5),
                       CASE WHEN shipped IS NOT NULL THEN shipped::date + ({_h('i', s + 9)} %% 8)::int END,
                       1 + i %% 5, (500 + {_h('i', s + 10)} %% 30000) / 100.0, (100 + {_h('i', s + 11)} %% 2000) / 100.0
                FROM (SELECT i, placed,
                             CASE WHEN i %% 20 <> 3 THEN placed + ({_h('i', s + 8)} %% 345600) * interval '1 second'
                             END AS shipped
                      FROM (SELECT i, %(start)s::timestamptz + ({_h('i', s + 7)} %% (%(span)s * 86400))
                                   * interval '1 second' AS placed
                            FROM generate_series(0, %(n)s - 1) AS i) AS p) AS g""",
            {"org": org.pk, "start": start, "span": span, "n": scale.orders},
        )
        cursor.execute(
            f"""INSERT INTO integrations_return (organization_id, source, external_id, is_deleted, synced_at,
                    returned_on, units, amount, reason)
                SELECT %(org)s, 'demo', 'r' || i, false, now(), %(start)s::date + ({_h('i', s + 12)} %% %(span)s)::int,
                       1 + i %% 2, (500 + {_h('i', s + 13)} %% 20000) / 100.0, ''
                FROM generate_series(0, %(n)s - 1) AS i""",
            {"org": org.pk, "start": start, "span": span, "n": scale.returns},
        )
        # Deals: closed within 90 days of creation (seven in ten), half of those won; the rest open.
        cursor.execute(
            f"""INSERT INTO integrations_deal (organization_id, source, external_id, is_deleted, synced_at, name,
                    pipeline, stage, amount, currency, created_on, close_date, is_closed, is_won, is_qualified,
                    source_channel, owner_name)
                SELECT %(org)s, 'demo', 'd' || i, false, now(), 'Deal ' || i, 'default', '',
                       (1000 + {_h('i', s + 15)} %% 5000000) / 100.0, 'EUR', created,
                       created + ({_h('i', s + 16)} %% 90)::int, closed, closed AND i %% 2 = 0, i %% 3 <> 0,
                       ({channels})[1 + i %% {len(CHANNELS)}], ''
                FROM (SELECT i, %(start)s::date + ({_h('i', s + 14)} %% %(span)s)::int AS created,
                             {_h('i', s + 17)} %% 10 < 7 AS closed
                      FROM generate_series(0, %(n)s - 1) AS i) AS g""",
            {"org": org.pk, "start": start, "span": span, "n": scale.deals},
        )


def tenant_create(number: int, scale: Scale, *, today: date) -> Organization:
    """Tenant `bench-scale-<number>` with its catalogue (general, commerce and SaaS packs) and `scale` rows."""
    from kpis.services import catalogue_install

    slug = f"{PREFIX}{number}"
    Organization.objects.filter(slug=slug).delete()  # scoped: the benchmark's own tenant
    with transaction.atomic():
        org = Organization.objects.create(slug=slug, name=f"Bench {number}", packs=PACKS)
        seed_tenant(org, scale, number=number, today=today)
        catalogue_install(org)
    return org


def analyze() -> None:
    """VACUUM as well: right after millions of inserts autovacuum would otherwise start during the measurements,
    and a fresh visibility map lets index-only scans work (with ANALYZE alone the KPI page read 4x slower at
    1,000 tenants in one run, 1.2x after VACUUM: the run is noisy on a shared machine, this removes one cause)."""
    with connection.cursor() as cursor:
        for table in ("ledgerline", "invoice", "order", "return", "deal"):
            cursor.execute(f"VACUUM (ANALYZE) integrations_{table}")


def tenants_drop() -> int:
    # Crosses tenants on purpose: the benchmark's own tenants, by their reserved slug prefix.
    return Organization.objects.filter(slug__startswith=PREFIX).delete()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--ledger", type=int, default=Scale.ledger)
    parser.add_argument("--invoices", type=int, default=Scale.invoices)
    parser.add_argument("--orders", type=int, default=Scale.orders)
    parser.add_argument("--deals", type=int, default=Scale.deals)
    parser.add_argument("--months", type=int, default=Scale.months)
    parser.add_argument("--drop", action="store_true", help="delete the bench-scale tenants and stop")
    args = parser.parse_args()
    if args.drop:
        print(f"deleted {tenants_drop():,} rows")
        return
    scale = Scale(args.ledger, args.invoices, args.orders, args.deals, args.months)
    today = timezone.localdate()
    t0 = time.monotonic()
    for n in range(1, args.tenants + 1):
        tenant_create(n, scale, today=today)
    analyze()
    print(f"{args.tenants} tenants × {scale.rows:,} rows seeded in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
