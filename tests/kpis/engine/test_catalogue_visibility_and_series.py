"""Who sees which KPI, and the monthly series with targets and statuses, from materialised values."""

from datetime import date
from decimal import Decimal as D

from accounts.capabilities import Role
from kpis.catalogue import load_catalogue
from kpis.models import Kpi
from kpis.periods import period_containing
from kpis.selectors import kpi_by_slug, kpi_catalogue_for, kpi_series, kpi_status, kpi_value_for_period
from kpis.services import kpi_target_set, kpi_values_recompute
from tests.factories import make_member
from tests.kpis.engine.records import ledger


def test_cost_detail_is_hidden_from_roles_without_view_costs(catalogue, alice):
    viewer = make_member(catalogue, role=Role.VIEWER)
    cfo_sees = {k.slug for k in kpi_catalogue_for(catalogue, membership=alice)}
    viewer_sees = {k.slug for k in kpi_catalogue_for(catalogue, membership=viewer)}
    assert {"gross_margin_pct", "ebe", "cost_per_unit", "revenue"} <= cfo_sees
    assert "revenue" in viewer_sees
    assert not {"gross_margin_pct", "ebe", "cost_per_unit"} & viewer_sees
    assert len(cfo_sees) == len(load_catalogue().kpis)  # the CFO sees every KPI of the catalogue


def test_inactive_kpis_leave_the_catalogue(catalogue, alice):
    Kpi.objects.for_org(catalogue).filter(slug="arr").update(is_active=False)
    assert "arr" not in {k.slug for k in kpi_catalogue_for(catalogue, membership=alice)}


def test_kpi_by_slug_is_scoped_to_the_tenant(catalogue, globex):
    assert kpi_by_slug(catalogue, slug="revenue").organization_id == catalogue.pk
    assert kpi_by_slug(globex, slug="revenue") is None


def test_series_carries_targets_and_statuses(catalogue, django_assert_num_queries):
    for month, amount in ((1, 1000), (2, 900), (3, 500)):
        ledger(catalogue, "706000", date(2026, month, 5), credit=amount)
    kpi_values_recompute(org=catalogue, today=date(2026, 6, 15))
    revenue = kpi_by_slug(catalogue, slug="revenue")
    for month in (1, 2, 3):
        kpi_target_set(kpi=revenue, by=None, grain="month", period_start=date(2026, month, 1), value=D(1000))
    with django_assert_num_queries(1):  # values and targets in one UNION ALL
        points = kpi_series(catalogue, kpi=revenue, start=date(2026, 1, 1), end=date(2026, 4, 30))
    assert [(p.period.label(), p.value, p.target, p.status) for p in points] == [
        ("2026-01", D("1000"), D("1000"), "on_track"),
        ("2026-02", D("900"), D("1000"), "at_risk"),  # within 10 % below the target
        ("2026-03", D("500"), D("1000"), "off_track"),
        ("2026-04", D("0"), None, "no_data"),  # no target
    ]


def test_status_of_a_lower_is_better_kpi(catalogue):
    dso = kpi_by_slug(catalogue, slug="dso")
    assert kpi_status(dso, value=D(40), target=D(45)) == "on_track"
    assert kpi_status(dso, value=D("49.5"), target=D(45)) == "at_risk"  # 45 + 10 % = 49.5
    assert kpi_status(dso, value=D(50), target=D(45)) == "off_track"
    assert kpi_status(dso, value=None, target=D(45)) == "no_data"


def test_a_reading_explains_its_inputs(catalogue):
    ledger(catalogue, "706000", date(2026, 3, 5), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 5), debit=400)
    kpi_values_recompute(org=catalogue, today=date(2026, 6, 15))
    margin = kpi_by_slug(catalogue, slug="gross_margin_pct")
    reading = kpi_value_for_period(catalogue, kpi=margin, period=period_containing(date(2026, 3, 1)))
    assert reading.value == D("60")  # (1,000 − 400) ÷ 1,000
    assert reading.inputs == {"metrics": {"cost_of_goods_sold": "400"}, "kpis": {"revenue": "1000"}}


def test_a_period_never_computed_says_so(catalogue):
    revenue = kpi_by_slug(catalogue, slug="revenue")
    reading = kpi_value_for_period(catalogue, kpi=revenue, period=period_containing(date(2020, 1, 1)))
    assert reading.value is None
    assert reading.reason == "not computed yet"


def test_the_catalogue_is_two_queries(catalogue, alice, django_assert_num_queries):
    with django_assert_num_queries(2):  # the KPIs, and the metrics they read (for what each needs to be seen)
        kpi_catalogue_for(catalogue, membership=alice)
