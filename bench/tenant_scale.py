"""Tenant scale: do page times and one tenant's recompute move when the database holds 1,000 tenants?

Two databases hold the same tenant 1 (10× the others' rows, bench/scale_data.py is deterministic): one among
`--small` tenants, one among `--tenants`. **Every tenant of both has its KPI values and forecasts**, so the shared
tables the pages read (KPI values, forecasts, presence, memberships) hold 1,000 tenants' rows, as they would in
production: the first `--recomputed` tenants (10) are recomputed by the engine, the others get a copy of tenant 2's
materialised rows under their own KPIs. The bench
then alternates between the two databases — small, large, small, large… `--rounds` times — and in each round
times tenant 1's home page, catalogue and KPI page (in-process Django client, server time) and its full recompute.
Alternating puts the machine's load on both alike, which the earlier "measure, grow, measure again" run did not
(it read the neighbours' load as a tenant-count effect). Prints the medians and the ratios (goal: pages within
10 %, recompute unaffected).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_scale
    uv run python bench/tenant_scale.py --seed --tenants 1000   # creates pilotage_scale_10 and pilotage_scale_1000
    uv run python bench/tenant_scale.py --tenants 1000 --rounds 6

`--seed` (re)creates both databases (migrate, seed, recompute or copy, vacuum); without it the bench reuses
them. The cache is cleared at each switch (both databases' tenant 1 has the same ids), then warmed by one request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from scale_data import Scale, analyze, tenant_create  # noqa: E402  (sets Django up)

from accounts.models import Membership, Organization  # noqa: E402
from kpis.services import kpi_values_recompute  # noqa: E402

EMAIL = "ceo@bench-scale.invalid"
BASE_NAME = connection.settings_dict["NAME"]


def _use(database: str) -> None:
    """Point the default connection at another database of the same server (the next query reconnects)."""
    connection.close()
    connection.settings_dict["NAME"] = database
    cache.clear()


def _database_create(database: str) -> None:
    _use(BASE_NAME)
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        cursor.execute(f'CREATE DATABASE "{database}"')
    _use(database)
    call_command("migrate", verbosity=0, interactive=False)


def seed(database: str, tenants: int, small: Scale, big: Scale, today, *, recomputed: int) -> None:
    """Tenants 1 … `recomputed` are recomputed by the engine; the others get tenant 2's materialised rows, copied
    under their own ids (the engine at ~7 s a tenant on this loaded machine would take two hours for 1,000)."""
    t0 = time.monotonic()
    _database_create(database)
    orgs = [tenant_create(1, big, today=today)]
    orgs += [tenant_create(n, small, today=today) for n in range(2, tenants + 1)]
    analyze()
    print(f"  {database}: {tenants} tenants seeded in {time.monotonic() - t0:.0f} s", flush=True)
    for org in orgs[:recomputed]:
        kpi_values_recompute(org=org, today=today)
    materialised_copy(source=orgs[1], targets=orgs[recomputed:])
    User = get_user_model()
    user = User.objects.create_user(email=EMAIL, password="bench-scale-password")
    Membership.objects.create(organization=orgs[0], user=user, role="ceo")
    print(f"{database}: {tenants} tenants seeded and materialised in {time.monotonic() - t0:.0f} s", flush=True)


def materialised_copy(*, source: Organization, targets: list[Organization]) -> None:
    """Copy the source tenant's KPI values, forecasts and data presence to each target, under the target's own
    KPIs (same slugs: every bench tenant installs the same packs), in one INSERT … SELECT per table."""
    if not targets:
        return
    ids = [org.pk for org in targets]
    with connection.cursor() as cursor:
        for table in ("kpis_kpivalue", "kpis_kpiforecast"):
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name NOT IN ('id', 'kpi_id', 'organization_id') ORDER BY ordinal_position", [table])
            columns = ", ".join(f'v."{name}"' for (name,) in cursor.fetchall())
            cursor.execute(
                f"""INSERT INTO {table} ({columns.replace('v.', '')}, kpi_id, organization_id)
                    SELECT {columns}, target_kpi.id, target_kpi.organization_id
                    FROM {table} v JOIN kpis_kpi source_kpi ON source_kpi.id = v.kpi_id
                    JOIN kpis_kpi target_kpi ON target_kpi.slug = source_kpi.slug
                                            AND target_kpi.organization_id = ANY(%s)
                    WHERE v.organization_id = %s""", [ids, source.pk])
        cursor.execute(
            """INSERT INTO kpis_kpidatapresence (record_types, unmapped_accounts, unmapped_amount, refreshed_at,
                                                 organization_id)
               SELECT p.record_types, p.unmapped_accounts, p.unmapped_amount, p.refreshed_at, o
               FROM kpis_kpidatapresence p, unnest(%s::bigint[]) AS o WHERE p.organization_id = %s""",
            [ids, source.pk])
        for table in ("kpis_kpivalue", "kpis_kpiforecast", "kpis_kpidatapresence", "kpis_kpi", "accounts_membership"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _median_ms(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def measure_round(runs: int, today) -> dict[str, list[float]]:
    org = Organization.objects.get(slug="bench-scale-1")
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(email=EMAIL))
    pages = {"home page": reverse("accounts:org_home", kwargs={"org_slug": org.slug}),
             "catalogue": reverse("kpis:catalogue", kwargs={"org_slug": org.slug}),
             "KPI page": reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": "revenue"})}
    out = {}
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path  # warm, and the page answers
        out[name] = _median_ms(lambda path=path: client.get(path), runs)
    out["recompute"] = _median_ms(lambda: kpi_values_recompute(org=org, today=today), max(1, runs // 5))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--runs", type=int, default=10, help="timed views of each page per round")
    parser.add_argument("--ledger", type=int, default=2000, help="rows per tenant (tenant 1 has 10× these)")
    parser.add_argument("--seed", action="store_true", help="(re)create both databases first")
    parser.add_argument("--recomputed", type=int, default=10,
                        help="tenants recomputed by the engine when seeding; the others copy tenant 2's values")
    args = parser.parse_args()
    today = timezone.localdate()
    databases = {args.small: f"{BASE_NAME}_{args.small}", args.tenants: f"{BASE_NAME}_{args.tenants}"}
    if args.seed:
        small = Scale(args.ledger, args.ledger // 10, args.ledger // 5, args.ledger // 20)
        big = Scale(small.ledger * 10, small.invoices * 10, small.orders * 10, small.deals * 10)
        for tenants, database in databases.items():
            seed(database, tenants, small, big, today, recomputed=args.recomputed)
    times: dict[int, dict[str, list[float]]] = {n: {} for n in databases}
    for r in range(args.rounds):
        for tenants, database in databases.items():
            _use(database)
            for name, values in measure_round(args.runs, today).items():
                times[tenants].setdefault(name, []).extend(values)
        print(f"round {r + 1} / {args.rounds} done", flush=True)
    _use(BASE_NAME)
    few, many = databases
    for name in times[few]:
        a, b = statistics.median(times[few][name]), statistics.median(times[many][name])
        print(f"{name:10} {few:5} tenants {a:8.1f} ms | {many:5} tenants {b:8.1f} ms = {b / a:.2f}× (goal ≤ 1.10×)")


if __name__ == "__main__":
    main()
