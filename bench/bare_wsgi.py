"""The project's WSGI application plus the benchmarks' bare views, for a load tool to hit over loopback.

Production URLs never hold the bare views: only a server started on this module (`bench/page_throughput.py`
starts gunicorn on `bench.bare_wsgi:application`) serves `/o/<org>/bench-bare-dashboard/` and
`/o/<org>/bench-bare/`, the same bare views `bench/dashboard_pages.py` times in process.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.decorators import require_capability  # noqa: E402
from bench.dashboard_pages import company_bare_view  # noqa: E402
from bench.portfolio_page import bare_view as portfolio_bare_view  # noqa: E402
from config import urls as project_urls  # noqa: E402

project_urls.urlpatterns.insert(0, path("o/<slug:org_slug>/bench-bare-dashboard/",
                                        require_capability("dashboards.view")(company_bare_view)))
project_urls.urlpatterns.insert(0, path("o/<slug:org_slug>/bench-bare/",
                                        require_capability("portfolio.view")(portfolio_bare_view)))

application = get_wsgi_application()
