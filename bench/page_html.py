"""Every dashboard, portfolio and inbox page of the demo, written to a folder, to compare two versions' HTML.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage uv run python bench/page_html.py /tmp/before
    (change the code)
    DATABASE_URL=… uv run python bench/page_html.py /tmp/after && diff -r /tmp/before /tmp/after

Run it from the checkout whose code is to be rendered (it imports the current directory's project). Pages: each
member's role dashboard of every demo company for every period and comparison, its htmx body, each team
dashboard for each member who sees it, the objectives cascade, the consultant's portfolio, inbox and
benchmarks, and the consultant's view of each client. What changes from one request to the next is blanked:
CSRF tokens and the "… ago" of a last sync.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.demo import COMPANIES, CONSULTANCY, CONSULTANT_EMAIL  # noqa: E402
from accounts.models import Membership, Organization, User  # noqa: E402
from dashboards.models import Dashboard  # noqa: E402
from dashboards.selectors import dashboards_for  # noqa: E402

VARIABLE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value="…"'),
    (re.compile(r'"X-CSRFToken": "[^"]*"'), '"X-CSRFToken": "…"'),
    (re.compile(r"\d+\xa0(minute|hour|day|week|month|year)s?(, \d+\xa0(minute|hour|day|week|month|year)s?)?"), "…"),
]
PERIODS = ("month", "quarter", "year", "trailing_12")
COMPARISONS = ("previous", "last_year")


def normalised(html: str) -> str:
    for pattern, blank in VARIABLE:
        html = pattern.sub(blank, html)
    return html


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    args = parser.parse_args()
    out = Path(args.folder)
    out.mkdir(parents=True, exist_ok=True)
    pages: list[tuple[str, User, str, dict]] = []
    for spec in COMPANIES.values():
        org = Organization.objects.get(slug=spec["slug"])
        home = reverse("accounts:org_home", kwargs={"org_slug": org.slug})
        members = list(Membership.objects.filter(organization=org).select_related("user").order_by("pk"))  # scoped
        for m in members:
            for period in PERIODS:
                for comparison in COMPARISONS:
                    pages.append((f"{org.slug}-{m.user.email}-{period}-{comparison}", m.user,
                                  f"{home}?period={period}&comparison={comparison}", {}))
            pages.append((f"{org.slug}-{m.user.email}-htmx", m.user, f"{home}?period=quarter&comparison=previous",
                          {"HTTP_HX_REQUEST": "true"}))
            pages.append((f"{org.slug}-{m.user.email}-cascade", m.user,
                          reverse("objectives:cascade", kwargs={"org_slug": org.slug}), {}))
            for d in dashboards_for(m):
                url = reverse("dashboards:dashboard_detail", kwargs={"org_slug": org.slug, "dashboard_id": d.pk})
                for period in PERIODS:
                    pages.append((f"{org.slug}-{m.user.email}-team{d.pk}-{period}", m.user, f"{url}?period={period}",
                                  {}))
    assert Dashboard.objects.exists()  # scoped: a check that the demo holds team dashboards
    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    firm = CONSULTANCY["slug"]
    for name in ("overview", "inbox", "benchmarks"):
        pages.append((f"portfolio-{name}", consultant, reverse(f"portfolio:{name}", kwargs={"org_slug": firm}), {}))
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        clients: dict[int, Client] = {}
        for name, user, url, headers in pages:
            client = clients.get(user.pk)
            if client is None:
                client = clients[user.pk] = Client()
                client.force_login(user)
            response = client.get(url, **headers)
            body = normalised(response.content.decode()) if response.status_code == 200 else ""
            (out / f"{name.replace('/', '_')}.html").write_text(f"{response.status_code}\n{body}")
    print(f"{len(pages)} pages written to {out}")


if __name__ == "__main__":
    main()
