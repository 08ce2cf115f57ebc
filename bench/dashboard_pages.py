"""Server time of the dashboards against a bare view reading the same materialised rows (issue #11: within 2×).

Run on a database with the demo loaded (`manage.py seed_demo`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage uv run python bench/dashboard_pages.py --runs 15

Pages: each role's dashboard of Maison Lumen (CEO, CFO, COO, CRO, CMO, CXO), its team dashboard
"Logistique" (as the COO, its owner), and the consultant's portfolio and inbox. Each page is timed against
its own bare view, in the same session, alternating (bare, page, bare, page…) so that the machine's load
falls on both alike; medians are printed with each page's ratio and SQL query count, for the wall time and for
this process's CPU time (the Python work: on a loaded machine the wall time is mostly waiting).

The bare view of a company page reads, in one query each, what its dashboard shows: the KPI values of the
last 24 months with their forecasts, the targets of those months, this quarter's objectives with their key
results and action plans, the connections and the finished imports; and renders them as a bare HTML list. The
portfolio's bare view is `bench/portfolio_page.py`'s (the served clients' values, targets, objectives,
connections and sync runs).
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

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.capabilities import Role  # noqa: E402
from accounts.decorators import require_capability  # noqa: E402
from accounts.demo import COMPANIES, CONSULTANCY, CONSULTANT_EMAIL  # noqa: E402
from accounts.models import Membership, Organization, User  # noqa: E402
from dashboards.models import Dashboard  # noqa: E402
from imports.models import ImportRun  # noqa: E402
from integrations.models import Connection  # noqa: E402
from kpis.models import KpiForecast, KpiTarget, KpiValue  # noqa: E402
from kpis.periods import add_months, period_containing  # noqa: E402
from objectives.models import ActionPlan, KeyResult, Objective  # noqa: E402

ROLES = (Role.CEO, Role.CFO, Role.COO, Role.CRO, Role.CMO, Role.CXO)


def company_bare_view(request, org_slug):
    """The rows a dashboard shows, read and listed with nothing else."""
    org = request.org
    today = timezone.localdate()
    first = add_months(today.replace(day=1), -24)
    quarter = period_containing(today, "quarter", org.fiscal_year_start_month)
    values = list(KpiValue.objects.for_org(org).filter(grain__in=("month", "quarter", "fiscal_year"),
                                                        period_start__gte=first, dimension_value="")
                  .values_list("kpi_id", "period_start", "value"))
    forecasts = list(KpiForecast.objects.for_org(org).filter(period_start__gte=add_months(first, 23))
                     .values_list("kpi_id", "value"))
    targets = list(KpiTarget.objects.for_org(org).filter(period_start__gte=first).values_list("kpi_id", "value"))
    objectives = list(Objective.objects.for_org(org).filter(period_start__lte=quarter.end, period_end__gte=quarter.start)
                      .values_list("title", "status"))
    krs = list(KeyResult.objects.for_org(org).values_list("title", "target_value", "manual_value"))
    plans = list(ActionPlan.objects.for_org(org).values_list("title", "due_date"))
    connections = list(Connection.objects.for_org(org).values_list("provider", "last_success_at"))
    imports = list(ImportRun.objects.for_org(org).values_list("kind", "finished_at")[:20])
    rows = "".join(f"<li>{r}</li>" for r in (*values, *forecasts, *targets, *objectives, *krs, *plans, *connections,
                                               *imports))
    return HttpResponse(f"<ul>{rows}</ul>")


def _time_pair(client: Client, bare: str, page: str, runs: int) -> tuple[float, float, float, float, int]:
    """Medians of wall time and of this process's CPU time (the Python work, which the machine's load inflates
    far less than the wall time spent waiting for PostgreSQL and for a core), bare then page, in ms."""
    for u in (bare, page):
        assert client.get(u).status_code == 200, u  # warm
    with CaptureQueriesContext(connection) as ctx:
        client.get(page)
    queries = len(ctx.captured_queries)
    wall: dict[str, list[float]] = {bare: [], page: []}
    cpu: dict[str, list[float]] = {bare: [], page: []}
    for _ in range(runs):
        for u in (bare, page):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(u)
            wall[u].append(time.perf_counter() - start)
            cpu[u].append(time.process_time() - start_cpu)
            assert response.status_code == 200, (u, response.status_code)
    return (*(statistics.median(t[u]) * 1000 for t in (wall, cpu) for u in (bare, page)), queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from bench.portfolio_page import bare_view as portfolio_bare_view
    from config import urls as project_urls

    project_urls.urlpatterns.insert(0, path("o/<slug:org_slug>/bench-bare-dashboard/",
                                            require_capability("dashboards.view")(company_bare_view)))
    project_urls.urlpatterns.insert(0, path("o/<slug:org_slug>/bench-bare/",
                                            require_capability("portfolio.view")(portfolio_bare_view)))
    lumen = Organization.objects.get(slug=COMPANIES["lumen"]["slug"])
    home = reverse("accounts:org_home", kwargs={"org_slug": lumen.slug})
    bare = f"/o/{lumen.slug}/bench-bare-dashboard/"
    pages: list[tuple[str, User, str, str]] = []
    for role in ROLES:
        member = Membership.objects.filter(organization=lumen, role=role, engagement__isnull=True).first()  # scoped
        if member:
            pages.append((f"{role.upper()} dashboard", member.user, bare, home))
    team = Dashboard.objects.for_org(lumen).select_related("owner__user").filter(owner__isnull=False).first()
    if team:
        pages.append((f"team dashboard {team.name}", team.owner.user, bare,
                      reverse("dashboards:dashboard_detail", kwargs={"org_slug": lumen.slug, "dashboard_id": team.pk})))
    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    firm = CONSULTANCY["slug"]
    for name in ("overview", "inbox"):
        pages.append((f"portfolio {name}", consultant, f"/o/{firm}/bench-bare/",
                      reverse(f"portfolio:{name}", kwargs={"org_slug": firm})))
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f}; medians of {args.runs}, alternating with the bare view")
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        for label, user, bare_url, page_url in pages:
            client = Client()
            client.force_login(user)
            bare_ms, page_ms, bare_cpu, page_cpu, queries = _time_pair(client, bare_url, page_url, args.runs)
            print(f"{label:<32} bare {bare_ms:7.1f} ms · page {page_ms:7.1f} ms · {page_ms / bare_ms:5.2f}× · "
                  f"CPU {bare_cpu:6.1f} / {page_cpu:6.1f} ms · {page_cpu / bare_cpu:5.2f}× · {queries} queries")


if __name__ == "__main__":
    main()
