"""A role dashboard and a team dashboard make the same number of queries with 1× and 10× the data, the whole request
within TOTAL (issue #13 asks 12 in all) and the page's own within 9, and never read a canonical record."""

from datetime import date

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from dashboards.models import Widget
from kpis.periods import add_months
from tests.conftest import url
from tests.dashboards.helpers import make_dashboard, make_widget
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, make_metric, set_history
from tests.objectives.helpers import make_action_plan, make_key_result, make_objective

# The page's own: the KPI catalogue's fingerprint (the catalogue itself kept since the first page), the quarter's
# objectives, key results and plans, the values (with the key results') and targets in one, the open alerts, the
# freshness, the derived targets waiting and the team dashboards.
MAX_QUERIES = 9
# The whole request, every statement the test sees counted: the page's own and the framework's look-ups (user and
# membership; the session comes from its cache). The test's transaction hides BEGIN and COMMIT, which production
# adds with its two set_config (accounts.rls): transaction control, not reads.
TOTAL = 11
# What every tenant page costs before its view runs (session, user, its sessions row, membership, transactions).
FRAMEWORK = ("django_session", "accounts_user", "usersessions_usersession", "accounts_membership")


def _record_tables() -> set[str]:
    """Canonical records are the rows that keep their source's external id."""
    return {m._meta.db_table for m in apps.get_models() if any(f.name == "external_id" for f in m._meta.fields)}


def _grow(org, owner, kpis, n, *, first=0):
    """n more blocks of 24 months of history (before the ones already there), objectives and plans."""
    for i in range(first, first + n):
        for kpi in kpis:
            set_history(kpi, last=add_months(date(2026, 10, 1), -24 * i), values=[str(j) for j in range(24)],
                        targets=["10"] * 24)
        objective = make_objective(org, owner=owner)
        make_key_result(objective, kpi=kpis[0], target="1000")
        make_action_plan(make_objective(org, owner=owner, parent=objective))


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    tables = _record_tables()
    assert tables and not [s for s in sql if any(f'"{t}"' in s for t in tables)]
    own = [s for s in sql if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "SELECT set_config"))
           and not any(f'FROM "{t}"' in s or f'UPDATE "{t}"' in s for t in FRAMEWORK)]
    assert len(own) <= MAX_QUERIES, own
    assert len(sql) <= TOTAL, sql
    return len(sql)


def test_the_role_dashboard_and_a_team_dashboard_keep_their_query_count(client, acme):
    ceo = make_member(acme, role=Role.CEO)
    make_metric(acme, slug="sales")
    kpis = [make_kpi(acme, slug=s) for s in ("revenue", "gross_margin_pct", "net_cash", "ebe")]
    dashboard = make_dashboard(acme, roles=[Role.CEO])
    for kind in (Widget.Kind.KPI_TILE, Widget.Kind.TREND, Widget.Kind.OBJECTIVES, Widget.Kind.ACTION_PLANS,
                 Widget.Kind.FRESHNESS):
        make_widget(dashboard, kind=kind, kpi=kpis[0] if kind in (Widget.Kind.KPI_TILE, Widget.Kind.TREND) else None)
    client.force_login(ceo.user)
    pages = [url("accounts:org_home", org_slug="acme"),
             url("dashboards:dashboard_detail", org_slug="acme", dashboard_id=dashboard.pk)]
    client.get(pages[0])
    _grow(acme, ceo, kpis, 1)
    small = {page: _count(client, page) for page in pages}
    _grow(acme, ceo, kpis, 9, first=1)  # ten times the data
    for page in pages:
        assert _count(client, page) == small[page], page
