"""Tenants installed before invoices could be void or partly paid get the new filters; edited copies stay."""

from importlib import import_module

from django.apps import apps

from kpis.models import Metric

migration = import_module("kpis.migrations.0005_invoice_metrics_skip_void_and_take_off_payments")


def test_the_catalogue_copies_of_the_invoice_metrics_follow_the_catalogue(catalogue):
    org = catalogue
    Metric.objects.for_org(org).filter(slug="sales_incl_vat").update(filters={"where": {"kind": "customer"}}, options={})
    Metric.objects.for_org(org).filter(slug="late_amount_0_30").update(
        filters={"where": {"kind": "customer", "is_credit_note": False}},
        options={"age_field": "due_date", "age_min_days": 1, "age_max_days": 30})
    Metric.objects.for_org(org).filter(slug="open_receivables").update(
        filters={"where": {"kind": "customer", "segment": "SMB"}}, options={})  # edited by the tenant

    migration.forwards(apps, None)

    metrics = {m.slug: m for m in Metric.objects.for_org(org)}
    assert metrics["sales_incl_vat"].filters == {"where": {"kind": "customer", "is_void": False}}
    assert metrics["late_amount_0_30"].filters["where"] == {"kind": "customer", "is_credit_note": False,
                                                            "is_void": False}
    assert metrics["late_amount_0_30"].options["less_payments"] is True
    assert metrics["open_receivables"].filters == {"where": {"kind": "customer", "segment": "SMB"}}
