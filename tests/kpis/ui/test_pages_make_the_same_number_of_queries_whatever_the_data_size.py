"""Catalogue, KPI detail and the home panel make a fixed number of queries: more KPIs, months or notes cost none."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Kpi
from kpis.periods import add_months
from tests.conftest import url
from tests.kpis.engine.records import invoice, ledger
from tests.kpis.ui.kpi_data import annotate, make_kpi, make_metric, set_history
from tests.raw_records import no_raw_record_queries

# Ceilings for one page view, session and membership look-ups included.
# Issue #9 adds one each (the metrics' visibility); #8 one on the catalogue (which KPIs ever had a value).
MAX_QUERIES = {"catalogue": 16, "detail": 31}
# The detail page reads the forecasts the recompute materialised (month, quarter, fiscal year) in one query;
# it never computes them. (The home page is the role dashboard: tests/dashboards counts its queries.)


def _small(org):
    make_metric(org, slug="sales")
    revenue = make_kpi(org, slug="revenue", name="Revenue", formula="sales")
    set_history(revenue, last=date(2026, 10, 1), values=["100", "110"])


# Slugs of the built-in catalogue, so that the CFO's home panel has more tiles and an ageing chart to fill.
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


PAGES = {
    "catalogue": lambda: url("kpis:catalogue", org_slug="acme"),
    "detail": lambda: url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue"),
}


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_kpis_months_and_notes(client, acme, alice, django_assert_max_num_queries,
                                                               page):
    client.force_login(alice.user)
    client.get(url("kpis:catalogue", org_slug="acme"))  # the first request of a session records it once
    _small(acme)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        small = _count(client, PAGES[page]())
    _large(acme)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        large = _count(client, PAGES[page]())
    assert large == small


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_read_materialised_values_never_raw_records(client, acme, alice, page):
    client.force_login(alice.user)
    _small(acme)
    _large(acme)
    for day in (date(2026, 10, 3), date(2026, 11, 4)):
        ledger(acme, "706000", day, credit=100)
        invoice(acme, day, excl=100)
    with no_raw_record_queries():
        assert client.get(PAGES[page]()).status_code == 200
