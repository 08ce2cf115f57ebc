"""Tenants' copies of the built-in invoice metrics follow the catalogue: drafts, cancelled and archived
invoices count nowhere, and open amounts take off the payments dated by the snapshot day.

A copy a tenant edited (filters no longer the old default) is left alone."""

from django.db import migrations

SALES = ("revenue_invoices", "revenue_invoices_by_segment", "sales_incl_vat")
LATE = ("late_amount", "late_amount_0_30", "late_amount_31_60", "late_amount_61_90", "late_amount_over_90")


def forwards(apps, schema_editor):
    Metric = apps.get_model("kpis", "Metric")
    # scoped: a data migration walks every tenant's copy of the catalogue on purpose
    for metric in Metric.objects.filter(slug__in=[*SALES, "open_receivables", "late_invoices", *LATE]):
        where = dict((metric.filters or {}).get("where") or {})
        if metric.slug in SALES or metric.slug == "open_receivables":
            if where != {"kind": "customer"}:
                continue
        elif where != {"kind": "customer", "is_credit_note": False}:
            continue
        where["is_void"] = False
        if metric.slug == "open_receivables":
            where["is_credit_note"] = False
        options = dict(metric.options or {})
        if metric.slug == "open_receivables" or metric.slug in LATE:
            options["less_payments"] = True
        metric.filters = {**(metric.filters or {}), "where": where}
        metric.options = options
        metric.save(update_fields=["filters", "options"])


class Migration(migrations.Migration):
    dependencies = [("kpis", "0004_ledger_month_cache"), ("integrations", "0003_invoice_void_payments_partly_synced")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
