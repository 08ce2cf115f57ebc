"""Server time of the consultancy's portfolio and inbox pages against a bare view reading the same rows
(issue #11: within 2× of it).

Run on a database with the demo loaded (`manage.py seed_demo`), as the demo's consultant:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage uv run python bench/portfolio_page.py --runs 30

The "bare view" is a plain Django view that reads the same tables for the same clients (memberships, KPI
values of the month and the spark, targets, objectives with their last check-in, connections, sync runs)
in one query each and renders them as a bare HTML list: what any page showing these figures must pay.
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

from django.db.models import OuterRef, Subquery  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import CONSULTANCY, CONSULTANT_EMAIL  # noqa: E402
from accounts.models import User  # noqa: E402
from integrations.models import Connection, SyncRun  # noqa: E402
from kpis.models import KpiTarget, KpiValue  # noqa: E402
from kpis.periods import add_months  # noqa: E402
from objectives.models import CheckIn, Objective  # noqa: E402
from portfolio.clients import client_memberships  # noqa: E402
from portfolio.health import HEALTH_KPIS, last_closed_month  # noqa: E402


def bare_view(request, org_slug):
    """The same rows as the portfolio, read and listed with nothing else."""
    from accounts import rls

    ids = [m.organization_id for m in client_memberships(request.membership)]
    month = last_closed_month(timezone.localdate())
    with rls.clients_read_context(ids):
        values = list(KpiValue.objects.filter(  # scoped: the served clients only
            organization_id__in=ids, grain="month", dimension_value="", kpi__slug__in=HEALTH_KPIS,
            period_start__gte=add_months(month, -11), period_start__lte=month,
        ).values_list("organization_id", "kpi__slug", "period_start", "value"))
        targets = list(KpiTarget.objects.filter(  # scoped: the served clients only
            organization_id__in=ids, kpi__slug="revenue", grain="month", period_start=month).values_list("value"))
        last = CheckIn.objects.filter(objective=OuterRef("pk")).order_by("-date")
        objectives = list(Objective.objects.filter(  # scoped: the served clients only
            organization_id__in=ids, status="active").annotate(c=Subquery(last.values("confidence")[:1]))
            .values_list("title", "c"))
        connections = list(Connection.objects.filter(organization_id__in=ids).values_list(  # scoped: served clients
            "status", "last_success_at"))
        runs = list(SyncRun.objects.filter(organization_id__in=ids).values_list("id")[:50])  # scoped: served clients
    rows = "".join(f"<li>{r}</li>" for r in (*values, *targets, *objectives, *connections, *runs))
    return HttpResponse(f"<ul>{rows}</ul>")


def _time(client: Client, url: str, runs: int) -> float:
    client.get(url)  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from config import urls as project_urls

    from accounts.decorators import require_capability

    project_urls.urlpatterns.insert(0, path("o/<slug:org_slug>/bench-bare/",
                                            require_capability("portfolio.view")(bare_view), name="bench_bare"))
    client = Client()
    client.force_login(User.objects.get(email=CONSULTANT_EMAIL))
    slug = CONSULTANCY["slug"]
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        bare = _time(client, f"/o/{slug}/bench-bare/", args.runs)
        page = _time(client, reverse("portfolio:overview", kwargs={"org_slug": slug}), args.runs)
        inbox = _time(client, reverse("portfolio:inbox", kwargs={"org_slug": slug}), args.runs)
    print(f"bare view (same rows): {bare:.1f} ms · portfolio: {page:.1f} ms ({page / bare:.2f}×) · "
          f"inbox: {inbox:.1f} ms ({inbox / bare:.2f}×) · medians of {args.runs}")


if __name__ == "__main__":
    main()
