"""The BI feed: KPI values as CSV or JSON for Power BI and Excel, read with an API key, costs hidden by role."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.api_keys import api_key_create
from kpis.models import Kpi, KpiTarget, KpiValue
from tests.factories import make_member


@pytest.fixture
def values(acme):
    now = timezone.make_aware(datetime(2026, 4, 1, 6, 0))
    revenue = Kpi.objects.create(organization=acme, slug="revenue", name="Revenue", formula="1", unit="eur")
    margin = Kpi.objects.create(organization=acme, slug="commercial_margin", name="Commercial margin", formula="1",
                                unit="eur", visibility_capability="kpis.view_costs")
    for kpi, amount in ((revenue, "1000.50"), (margin, "300")):
        for month in (1, 2, 3):
            KpiValue.objects.create(organization=acme, kpi=kpi, grain="month", period_start=date(2026, month, 1),
                                    period_end=date(2026, month, 28), value=Decimal(amount) * month, computed_at=now)
    KpiTarget.objects.create(organization=acme, kpi=revenue, grain="month", period_start=date(2026, 3, 1),
                             value=Decimal("3500"))
    return revenue, margin


def _get(client, secret, suffix, query=""):
    return client.get(f"/api/v1/orgs/acme/feed/kpi-values.{suffix}{query}", HTTP_AUTHORIZATION=f"Api-Key {secret}")


def test_a_power_bi_key_reads_values_targets_and_statuses_as_csv(client, acme_ceo, values):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="Power BI", role="cfo", can_write=False)
    response = _get(client, secret, "csv", "?kpi=revenue&grain=month&start=2026-02-01")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["period_start"], r["value"], r["target"], r["status"]) for r in rows] == [
        ("2026-02-01", "2001", "", "no_data"), ("2026-03-01", "3001.5", "3500", "off_track")]


def test_an_open_period_carries_its_materialised_forecast(client, acme_ceo, values):
    from kpis.models import KpiForecast

    revenue, _margin = values
    KpiForecast.objects.create(organization=revenue.organization, kpi=revenue, grain="month",
                               period_start=date(2026, 3, 1), period_end=date(2026, 3, 31), value=Decimal("3100"),
                               method="run_rate", as_of=date(2026, 3, 20), computed_at=timezone.now())
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="x", role="cfo", can_write=False)
    rows = _get(client, secret, "json", "?kpi=revenue").json()["rows"]
    assert [(r["period_start"], r["forecast"], r["forecast_method"]) for r in rows] == [
        ("2026-01-01", None, ""), ("2026-02-01", None, ""), ("2026-03-01", "3100", "run_rate")]


def test_a_viewer_key_never_reads_cost_kpis(client, acme_ceo, values):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="Excel", role="viewer", can_write=False)
    rows = _get(client, secret, "json").json()["rows"]
    assert {r["kpi"] for r in rows} == {"revenue"}
    assert _get(client, secret, "json", "?kpi=commercial_margin").json()["rows"] == []


def test_bad_filters_get_a_clear_400(client, acme_ceo, values):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="x", role="viewer", can_write=False)
    assert _get(client, secret, "json", "?grain=week").status_code == 400
    assert _get(client, secret, "json", "?start=9999-01-01").json() == {"detail": "start must be between 1990 and 2100."}


def test_the_feed_keeps_its_query_count_as_values_grow(client, acme_ceo, values, django_assert_max_num_queries):
    revenue, _margin = values
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="x", role="cfo", can_write=False)
    _get(client, secret, "json")  # the key's first use is noted once
    with django_assert_max_num_queries(8) as small:
        _get(client, secret, "json")
    now = timezone.now()
    KpiValue.objects.bulk_create(
        KpiValue(organization=revenue.organization, kpi=revenue, grain="month", period_start=date(2020 + i // 12,
                 i % 12 + 1, 1), period_end=date(2020 + i // 12, i % 12 + 1, 28), value=i, computed_at=now)
        for i in range(60))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(_get(client, secret, "json").json()["rows"]) == 66
