"""Benchmark of row-level security (QUALITY.md "Database-enforced isolation": overhead ≤ 20 %).

Builds a throw-away table shaped like a tenant table (`bench_rls_line`: organization_id, day, amount;
index on (organization_id, day) covering amount) with N rows over T tenants, under the same policy
as every tenant table (accounts/rls.py). Then, connected as a least-privileged app role, it times a
one-month aggregate of one tenant (the ORM's `for_org` filter plus the policy) with the policy on and
off (RLS disabled on the table), alternating the two, and prints the medians of the server-side
planning + execution times, their ratio, and the plans under the policy (the index must still be used).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage uv run python bench/rls_overhead.py --rows 1000000

Run it as the owner (a superuser or a role that can create roles). The table is dropped at the end
unless --keep is given; the role `pilotage_bench_app` stays (its grants go with the table).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402

from accounts import rls  # noqa: E402

TABLE = "bench_rls_line"
ROLE, PASSWORD = "pilotage_bench_app", "pilotage-bench-only"
MONTH = "day >= DATE '2026-03-01' AND day < DATE '2026-04-01'"
QUERY = f"SELECT count(*), sum(amount) FROM {TABLE} WHERE organization_id = %s AND {MONTH}"
# A forgotten `for_org`: the policy alone narrows the query to the tenant, through the same index.
QUERY_POLICY_ALONE = f"SELECT count(*), sum(amount) FROM {TABLE} WHERE {MONTH}"


def seed(cursor, *, rows: int, tenants: int) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(f"""CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, organization_id bigint NOT NULL,
                       day date NOT NULL, amount numeric(14, 2) NOT NULL)""")
    cursor.execute(f"""INSERT INTO {TABLE} (organization_id, day, amount)
                       SELECT 1 + (i %% %s), DATE '2025-01-01' + (i / %s) %% 730, (i %% 1000) / 10.0
                       FROM generate_series(1, %s) AS i""", [tenants, tenants, rows])
    cursor.execute(f"CREATE INDEX {TABLE}_org_day ON {TABLE} (organization_id, day) INCLUDE (amount)")
    cursor.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    cursor.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    cursor.execute(f"CREATE POLICY {rls.POLICY_NAME} ON {TABLE} USING (organization_id = {rls.CURRENT_ORG})"
                   f" WITH CHECK (organization_id = {rls.CURRENT_ORG})")
    cursor.execute(f"VACUUM ANALYZE {TABLE}")


def timed(app, org: int, *, policy: bool, owner, query: str = QUERY) -> float:
    """Server-side planning + execution time of one run (EXPLAIN ANALYZE), so client noise stays out."""
    with owner.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} {'ENABLE' if policy else 'DISABLE'} ROW LEVEL SECURITY")
    with app.cursor() as cursor:
        cursor.execute("SELECT set_config('app.current_org', %s, true)", [str(org)])
        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query, [org] if "%s" in query else [])
        [result] = cursor.fetchone()[0]
    app.rollback()
    return (result["Planning Time"] + result["Execution Time"]) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not rls.applies():
        sys.exit("Row-level security needs PostgreSQL: set DATABASE_URL=postgres://… (the owner).")

    params = connection.get_connection_params()
    dsn = {k: params[k] for k in ("dbname", "host", "port", "user", "password") if params.get(k)}
    owner = psycopg.connect(**dsn, autocommit=True)
    t0 = time.perf_counter()
    with owner.cursor() as cursor:
        seed(cursor, rows=args.rows, tenants=args.tenants)
    print(f"seeded {args.rows:,} rows over {args.tenants} tenants in {time.perf_counter() - t0:.1f} s")
    rls.app_role_create(name=ROLE, password=PASSWORD)
    app = psycopg.connect(**{**dsn, "user": ROLE, "password": PASSWORD})
    org = 3
    try:
        with app.cursor() as cursor:  # the policy is what the app role meets: no setting, no row
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT set_config('app.current_org', %s, true)", [str(org)])
            cursor.execute(f"SELECT count(DISTINCT organization_id) FROM {TABLE}")
            assert cursor.fetchone()[0] == 1
            cursor.execute("EXPLAIN " + QUERY, [org])
            plan = "\n".join("    " + row[0] for row in cursor.fetchall())
            cursor.execute("EXPLAIN " + QUERY_POLICY_ALONE)
            plan_alone = "\n".join("    " + row[0] for row in cursor.fetchall())
        app.rollback()
        for _ in range(10):  # warm the cache for both shapes
            timed(app, org, policy=True, owner=owner)
            timed(app, org, policy=False, owner=owner)
        with_policy, without, alone = [], [], []
        for i in range(args.runs):  # alternated, in both orders, so drift and load fall on both sides
            pair = [(with_policy, True, QUERY), (without, False, QUERY), (alone, True, QUERY_POLICY_ALONE)]
            for samples, policy, query in (pair if i % 2 else pair[::-1]):
                samples.append(timed(app, org, policy=policy, owner=owner, query=query))
    finally:
        with owner.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
            if not args.keep:
                cursor.execute(f"DROP TABLE {TABLE}")
        app.close()
        owner.close()
    on, off = statistics.median(with_policy) * 1000, statistics.median(without) * 1000
    only = statistics.median(alone) * 1000
    print(f"plan under the policy (for_org filter + policy):\n{plan}")
    print(f"plan of the policy alone (no for_org filter):\n{plan_alone}")
    print(f"one tenant's month, {args.runs} runs each, medians: without policy {off:.2f} ms, "
          f"with policy {on:.2f} ms, ratio {on / off:.3f} ({(on / off - 1) * 100:+.1f} %; goal ≤ +20 %); "
          f"policy alone {only:.2f} ms ({(only / off - 1) * 100:+.1f} %)")


if __name__ == "__main__":
    main()
