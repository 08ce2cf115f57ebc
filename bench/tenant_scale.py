"""Tenant scale: do page times and one tenant's recompute move when the database holds 1,000 tenants?

Seeds `--small` tenants (bench/scale_data.py), measures the catalogue and a KPI page of tenant 1 (in-process
Django test client, server time) and tenant 1's full recompute; then grows to `--tenants` tenants and measures
again, alternating with nothing else, medians. Prints the ratios (goal: pages within 10 %, recompute unaffected).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_perf uv run python bench/tenant_scale.py --tenants 1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import Scale, analyze, tenant_create, tenants_drop  # noqa: E402  (sets Django up)

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership  # noqa: E402
from kpis.services import kpi_values_recompute  # noqa: E402

EMAIL = "ceo@bench-scale.invalid"


def _client(org) -> Client:
    User = get_user_model()
    User.objects.filter(email=EMAIL).delete()  # scoped: the benchmark's own user
    user = User.objects.create_user(email=EMAIL, password="bench-scale-password")
    Membership.objects.create(organization=org, user=user, role="ceo")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(org, client: Client, today, runs: int) -> dict[str, float]:
    pages = {"catalogue": reverse("kpis:catalogue", kwargs={"org_slug": org.slug}),
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
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--ledger", type=int, default=2000, help="rows per tenant (tenant 1 has 10× these)")
    args = parser.parse_args()
    today = timezone.localdate()
    small = Scale(args.ledger, args.ledger // 10, args.ledger // 5, args.ledger // 20)
    big = Scale(small.ledger * 10, small.invoices * 10, small.orders * 10, small.deals * 10)
    tenants_drop()
    try:
        first = tenant_create(1, big, today=today)
        for n in range(2, args.small + 1):
            tenant_create(n, small, today=today)
        analyze()
        kpi_values_recompute(org=first, today=today)
        client = _client(first)
        before = measure(first, client, today, args.runs)
        t0 = time.monotonic()
        for n in range(args.small + 1, args.tenants + 1):
            tenant_create(n, small, today=today)
        analyze()
        print(f"grew from {args.small} to {args.tenants} tenants in {time.monotonic() - t0:.0f} s")
        after = measure(first, client, today, args.runs)
        for name in before:
            print(f"{name:10} {args.small:5} tenants {before[name]:8.1f} ms | {args.tenants:5} tenants "
                  f"{after[name]:8.1f} ms = {after[name] / before[name]:.2f}× (goal ≤ 1.10×)")
    finally:
        get_user_model().objects.filter(email=EMAIL).delete()  # scoped: the benchmark's own user
        tenants_drop()


if __name__ == "__main__":
    main()
