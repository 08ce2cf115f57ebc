"""The built-in catalogue is installed per tenant as data, and each tenant's copy is its own to edit."""

import pytest
from django.core.exceptions import ValidationError

from kpis.catalogue import load_catalogue
from kpis.models import Kpi, Metric
from kpis.services import catalogue_install, kpi_update, metric_create


def test_installing_twice_creates_nothing_more(acme):
    assert catalogue_install(acme) == (len(load_catalogue().metrics), len(load_catalogue().kpis))
    assert catalogue_install(acme) == (0, 0)


def test_a_tenant_edit_survives_a_reinstall_and_leaves_other_tenants_alone(acme, globex, alice):
    catalogue_install(acme)
    catalogue_install(globex)
    revenue = Kpi.objects.for_org(acme).get(slug="revenue")
    kpi_update(kpi=revenue, by=alice, formula="revenue_invoices", recompute=False)
    catalogue_install(acme)
    assert Kpi.objects.for_org(acme).get(slug="revenue").formula == "revenue_invoices"
    assert (
        Kpi.objects.for_org(globex).get(slug="revenue").formula
        == "coalesce(revenue_ledger, revenue_invoices)"
    )
    catalogue_install(acme, overwrite=True)
    assert (
        Kpi.objects.for_org(acme).get(slug="revenue").formula == "coalesce(revenue_ledger, revenue_invoices)"
    )


def test_every_catalogue_kpi_is_marked_builtin_with_an_owner_and_a_description(acme):
    catalogue_install(acme)
    kpis = list(Kpi.objects.for_org(acme))
    executives = {"ceo", "cfo", "cro", "coo", "cmo", "cxo"}  # a KPI is owned by one who steers, never Admin or Viewer
    assert all(k.is_builtin and k.description and k.owner_role in executives for k in kpis)
    assert Metric.objects.for_org(acme).filter(is_builtin=False).count() == 0


def test_a_metric_on_a_field_that_does_not_exist_is_refused(acme, alice):
    with pytest.raises(ValidationError, match="no field 'amount_ttc'"):
        metric_create(
            org=acme,
            by=alice,
            slug="ttc",
            name="TTC",
            record_type="invoice",
            aggregation="sum",
            value="amount_ttc",
            date_field="issue_date",
        )
    with pytest.raises(ValidationError):
        metric_create(
            org=acme,
            by=alice,
            slug="bad_filter",
            name="x",
            record_type="invoice",
            aggregation="count",
            date_field="issue_date",
            filters={"where": {"colour": "red"}},
        )


def test_a_custom_metric_feeds_a_custom_kpi(acme, alice):
    from datetime import date
    from decimal import Decimal as D

    from kpis.models import KpiValue
    from kpis.services import kpi_create, kpi_values_recompute
    from tests.kpis.engine.records import invoice

    metric_create(
        org=acme,
        by=alice,
        slug="export_sales",
        name="Export sales",
        record_type="invoice",
        aggregation="sum",
        value="amount_excl_tax",
        date_field="issue_date",
        filters={"where": {"kind": "customer", "currency": "USD"}},
    )
    kpi_create(
        org=acme,
        by=alice,
        slug="export_sales_k",
        name="Export sales (k€)",
        formula="export_sales / 1000",
        recompute=False,
    )
    invoice(acme, date(2026, 3, 3), excl=2500, currency="USD")
    invoice(acme, date(2026, 3, 3), excl=9999)
    kpi_values_recompute(org=acme, today=date(2026, 6, 15))
    march = KpiValue.objects.for_org(acme).get(
        kpi__slug="export_sales_k", grain="month", period_start=date(2026, 3, 1)
    )
    assert march.value == D("2.5")
