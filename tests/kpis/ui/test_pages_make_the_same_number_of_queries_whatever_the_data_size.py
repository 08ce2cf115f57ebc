"""The KPI and objective pages make at most 12 queries each, and the same number at 1× and 10× the data: more
KPIs, months, notes, objectives and key results cost none. Session, user and membership look-ups included."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Kpi
from kpis.periods import add_months
from objectives.models import Objective
from tests.conftest import url
from tests.kpis.engine.records import invoice, ledger
from tests.kpis.ui.kpi_data import annotate, make_kpi, make_metric, set_history
from tests.objectives.helpers import Q4, make_action_plan, make_check_in, make_key_result, make_objective
from tests.raw_records import no_raw_record_queries

# Of these 12, 2 are every page's (the user and their memberships: accounts/sessions.py, accounts.selectors);
# the page's own reads are the other 10 at most.
MAX_QUERIES = 12


def _small(org):
    make_metric(org, slug="sales")
    revenue = make_kpi(org, slug="revenue", name="Revenue", formula="sales")
    set_history(revenue, last=date(2026, 10, 1), values=["100", "110"])


# Slugs of the built-in catalogue, so that the catalogue has more rows and their formulas read more metrics.
LARGE_SLUGS = ["gross_margin_pct", "ebe", "net_cash", "dso", "late_invoices_amount", "budget_variance", "cash_burn",
               "late_0_30", "late_31_60", "late_61_90", "late_over_90", "k1", "k2", "k3"]


def _large(org):
    for i, slug in enumerate(LARGE_SLUGS):
        make_metric(org, slug=f"m_{slug}")
        kpi = make_kpi(org, slug=slug, formula=f"m_{slug} + revenue", unit="percent" if i % 3 else "eur",
                       visibility="kpis.view_costs" if i % 4 == 0 else "kpis.view")
        set_history(kpi, last=date(2026, 11, 1), values=[str(50 + j) for j in range(25)], targets=["60"] * 25)
    revenue = Kpi.objects.for_org(org).get(slug="revenue")
    set_history(revenue, last=date(2026, 11, 1), values=[str(90 + j) for j in range(25)], targets=["100"] * 25)
    for m in range(12):
        annotate(revenue, add_months(date(2026, 11, 1), -m), f"note {m}")


def _objectives(org, owner, coo, n, *, under=None):
    """n financial objectives (under `under` if given), each with an operational child, key results on the
    revenue KPI and manual ones, a check-in and an action plan."""
    revenue = Kpi.objects.for_org(org).get(slug="revenue")
    for _ in range(n):
        parent = under or make_objective(org, owner=owner)
        make_key_result(parent, kpi=revenue, target="500000")
        make_key_result(parent, start="0", target="10", manual_value="3")
        make_check_in(parent, on=Q4[0])
        child = make_objective(org, owner=coo, parent=parent, kind=Objective.Kind.OPERATIONAL)
        make_key_result(child, kpi=revenue, target="1000")
        make_action_plan(child)


def _first_objective(org):
    return Objective.objects.for_org(org).filter(parent__isnull=True).order_by("id").first()


PAGES = {
    "catalogue": lambda org: url("kpis:catalogue", org_slug="acme"),
    "detail": lambda org: url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue"),
    "lineage fragment": lambda org: url("kpis:kpi_lineage", org_slug="acme", kpi_slug="revenue") + "?month=2026-10",
    "cascade": lambda org: "/o/acme/objectives/?period=2026-10-01/2026-12-31",
    "branch fragment": lambda org: url("objectives:objective_children", org_slug="acme",
                                       objective_id=_first_objective(org).pk) + "?expanded=1",
    "objective": lambda org: url("objectives:objective_detail", org_slug="acme",
                                 objective_id=_first_objective(org).pk),
}
FRAGMENTS = {"lineage fragment", "branch fragment"}


def _count(client, page, path) -> int:
    headers = {"HTTP_HX_REQUEST": "true"} if page in FRAGMENTS else {}
    client.get(path, **headers)  # the first read after a change refills the kept catalogue and forecasts
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, **headers).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_stays_within_12_and_does_not_grow_with_the_data(client, acme, alice, bob, page):
    client.force_login(alice.user)
    _small(acme)
    _objectives(acme, alice, bob, 1)
    small = _count(client, page, PAGES[page](acme))
    _large(acme)
    _objectives(acme, alice, bob, 9)
    _objectives(acme, alice, bob, 9, under=_first_objective(acme))  # the page's own objective grows too
    large = _count(client, page, PAGES[page](acme))
    assert (small, large) == (small, small)
    assert small <= MAX_QUERIES


@pytest.mark.parametrize("page", ["catalogue", "detail", "cascade", "objective"])
def test_pages_read_materialised_values_never_raw_records(client, acme, alice, bob, page):
    client.force_login(alice.user)
    _small(acme)
    _large(acme)
    _objectives(acme, alice, bob, 2)
    for day in (date(2026, 10, 3), date(2026, 11, 4)):
        ledger(acme, "706000", day, credit=100)
        invoice(acme, day, excl=100)
    with no_raw_record_queries():
        assert client.get(PAGES[page](acme)).status_code == 200
