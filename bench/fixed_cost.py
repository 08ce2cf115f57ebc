"""The fixed cost of every page: queries and CPU of a page with nothing of its own, and of the CEO's home.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage REDIS_URL=redis://127.0.0.1:6379/1 \\
        uv run python bench/fixed_cost.py --runs 60

In process (the Django test client), DEBUG off, the project's middleware and context processors, on the demo
(`manage.py seed_demo`), signed in as Maison Lumen's CEO. It prints each page's query count and the median CPU time
of this process per request (the Python work; the machine's load inflates it far less than wall time). Run it on
two commits alternately to compare them.
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
os.environ["DJANGO_DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.decorators import require_capability  # noqa: E402
from accounts.demo import COMPANIES  # noqa: E402
from accounts.models import User  # noqa: E402
from config.urls import urlpatterns as project_urlpatterns  # noqa: E402

_EMPTY = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


@require_capability("org.view")
def empty_page(request, org_slug):
    return HttpResponse(_EMPTY.render(request=request))


urlpatterns = [path("o/<slug:org_slug>/bench-empty-page/", empty_page), *project_urlpatterns]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    slug = COMPANIES["lumen"]["slug"]
    with override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="bench.fixed_cost"):
        client = Client()
        client.force_login(User.objects.get(email=f"ceo@{COMPANIES['lumen']['domain']}"))
        for label, url in (("empty page", f"/o/{slug}/bench-empty-page/"), ("CEO home", f"/o/{slug}/")):
            for _ in range(5):  # warm: templates, translations, kept SQL, the session's first writes
                assert client.get(url).status_code == 200, url
            queries: list[str] = []

            def counted(execute, sql, *args, queries=queries):
                queries.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(counted):
                client.get(url)
            cpu = []
            for _ in range(args.runs):
                start = time.process_time()
                client.get(url)
                cpu.append(time.process_time() - start)
            print(f"{label:<11} {len(queries):3d} queries · CPU median {statistics.median(cpu) * 1000:6.1f} ms "
                  f"over {args.runs} requests")


if __name__ == "__main__":
    main()
