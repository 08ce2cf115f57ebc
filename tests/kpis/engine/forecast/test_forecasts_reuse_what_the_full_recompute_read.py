"""A full recompute forecasts every KPI in one pass over what it has already read: a fixed number of queries
whatever the number of KPIs, no second read of the coverage, of the closed months or of the rows its Python
metrics aggregate, and the same figures as forecasts made on their own (the daily refresh)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import kpis.engine.forecast as forecast_engine
from kpis.models import Kpi, KpiForecast, Metric
from kpis.services import catalogue_install, kpi_forecasts_refresh, kpi_values_recompute
from tests.factories import make_org
from tests.kpis.engine.records import at, customer, deal, invoice, ledger, order, subscription

TODAY = date(2026, 6, 15)


def _company():
    org = make_org(packs=["general", "commerce", "saas"])
    catalogue_install(org)
    for month in range(1, 13):
        last_year = date(2025, month, 10)
        ledger(org, "706000", last_year, credit=1000 + month)
        ledger(org, "607000", last_year, debit=400)
        order(org, placed=at(last_year), shipped=at(last_year), amount=50)
        if month <= 6:
            day = date(2026, month, 10)
            ledger(org, "706000", day, credit=1200 + month)
            ledger(org, "512000", day, debit=800)
            invoice(org, day, excl=300, due=date(2026, month, 28))
            order(org, placed=at(day), shipped=at(day, 15), promised=day, delivered=day, amount=80)
            deal(org, amount=500, created=day, closed=day, won=month % 2 == 0, lost=month % 2 == 1)
    subscription(org, customer(org), mrr=100, start=date(2025, 3, 1))
    subscription(org, customer(org), mrr=40, start=date(2025, 9, 1), end=date(2026, 4, 30))
    return org


def _more_kpis(org, n: int) -> None:
    """n more active KPIs, over n more metrics copied from the catalogue's (the same record types)."""
    sources = list(Metric.objects.for_org(org).filter(
        slug__in=["revenue_ledger", "orders_best_4w", "retained_mrr_net", "revenue_invoiced"]).order_by("slug"))
    assert len(sources) >= 3
    template = Kpi.objects.for_org(org).get(slug="revenue")
    for i in range(n):
        metric = sources[i % len(sources)]
        metric.pk, metric.slug = None, f"copy_{i}_{metric.slug}"[:60]
        metric.save()
        template.pk, template.slug, template.formula = None, f"more_{i}", f"{metric.slug} * {i + 1}"
        template.save()


def _forecast_queries(org, monkeypatch) -> list[str]:
    """The SQL the forecasts of a full recompute issue (their computation, not their write)."""
    captured: list[str] = []
    original = forecast_engine.forecasts_compute

    def counted(*args, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            out = original(*args, **kwargs)
        captured.extend(q["sql"] for q in ctx.captured_queries)
        return out

    monkeypatch.setattr(forecast_engine, "forecasts_compute", counted)
    kpi_values_recompute(org=org, today=TODAY)
    monkeypatch.setattr(forecast_engine, "forecasts_compute", original)
    return captured


def test_forecast_queries_do_not_grow_with_the_number_of_kpis(db, monkeypatch):
    org = _company()
    kpi_values_recompute(org=org, today=TODAY)
    few = _forecast_queries(org, monkeypatch)
    kpis_before = Kpi.objects.for_org(org).filter(is_active=True).count()
    _more_kpis(org, 12)
    many = _forecast_queries(org, monkeypatch)
    assert Kpi.objects.for_org(org).filter(is_active=True).count() == kpis_before + 12
    assert KpiForecast.objects.for_org(org).filter(kpi__slug__startswith="more_").exists()
    assert len(many) == len(few)
    assert 0 < len(few) <= 12  # one per record type with rows, at most, and the ledger grouped by day


def test_a_full_recompute_hands_its_coverage_months_and_rows_to_the_forecasts(db, monkeypatch):
    org = _company()
    kpi_values_recompute(org=org, today=TODAY)
    sql = _forecast_queries(org, monkeypatch)
    assert not [q for q in sql if "kpis_kpivalue" in q]  # the closed months: the recompute's own results
    assert not [q for q in sql if q.lstrip().startswith("SELECT MIN(")]  # the coverage: the recompute's
    # the rows of the best run and of retained MRR (aggregated in Python) are read once, by the recompute
    assert not [q for q in sql if "integrations_subscription" in q and "FILTER" not in q]
    assert not [q for q in sql if '"integrations_order"."shipped_at" AS' in q and "FILTER" not in q]


def _figures(org) -> dict:
    return {(slug, grain, start): rest for slug, grain, start, *rest in KpiForecast.objects.for_org(org).values_list(
        "kpi__slug", "grain", "period_start", "value", "method", "to_date", "previous_same_days",
        "last_year_same_days", "last_year", "basis")}


@pytest.mark.parametrize("today", [TODAY, date(2026, 6, 3)])  # with and without the "too early" rule
def test_forecasts_of_a_full_recompute_equal_forecasts_made_on_their_own(db, today):
    org = _company()
    kpi_values_recompute(org=org, today=today)
    stored = _figures(org)
    assert len(stored) > 100
    with CaptureQueriesContext(connection) as ctx:
        kpi_forecasts_refresh(org=org, today=today)  # coverage, months and rows read again, on their own
    writes = [q["sql"] for q in ctx.captured_queries
              if "kpis_kpiforecast" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]
    assert writes == []
    assert _figures(org) == stored
