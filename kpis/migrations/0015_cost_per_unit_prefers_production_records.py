"""Tenants' copies of "Cost per unit" read the production records first, as the catalogue now does; the three
production metrics it reads are added where missing (`kpis_catalogue_update` adds the by-line KPIs later).

A copy a tenant edited (its formula no longer the old default) is left alone."""

from django.db import migrations

OLD_FORMULA = "coalesce(production_costs / units_produced, fulfilment_cost / units_shipped)"
NEW_FORMULA = ("coalesce(output_cost / output_costed_units, production_costs / units_produced, "
               "fulfilment_cost / units_shipped)")
NEW_DESCRIPTION = ("Production records' cost ÷ their units (the lines whose cost is known); without them, production "
                   "cost (60 excl. goods for resale, 61, 62, 64) ÷ units produced (series “units_produced”); without "
                   "a production series, fulfilment cost ÷ units shipped.")
# kpis/catalogue/metrics.toml as of this migration
METRICS = {
    "output_units": {"name": "Units produced (production records)", "filters": {},
                     "visibility_capability": "kpis.view"},
    "output_costed_units": {"name": "Units produced whose cost is known (production records)",
                            "filters": {"where": {"cost__isnull": False}}, "visibility_capability": "kpis.view"},
    "output_cost": {"name": "Production cost (production records)", "value": "cost",
                    "filters": {"where": {"cost__isnull": False}},
                    "visibility_capability": "kpis.view_operational_costs"},
}


def forwards(apps, schema_editor):
    Kpi = apps.get_model("kpis", "Kpi")
    Metric = apps.get_model("kpis", "Metric")
    # scoped: a data migration walks every tenant's copy of the catalogue on purpose
    for kpi in Kpi.objects.filter(slug="cost_per_unit", is_builtin=True, formula=OLD_FORMULA):
        have = set(Metric.objects.filter(organization_id=kpi.organization_id, slug__in=METRICS)
                   .values_list("slug", flat=True))
        Metric.objects.bulk_create([
            Metric(organization_id=kpi.organization_id, slug=slug, is_builtin=True, record_type="productionoutput",
                   aggregation="sum", value=spec.get("value", "units"), date_field="period", dimension_field="line",
                   name=spec["name"], filters=spec["filters"], visibility_capability=spec["visibility_capability"])
            for slug, spec in METRICS.items() if slug not in have])
        kpi.formula, kpi.description = NEW_FORMULA, NEW_DESCRIPTION
        kpi.save(update_fields=["formula", "description"])


class Migration(migrations.Migration):
    dependencies = [("kpis", "0014_production_output_record_type")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
