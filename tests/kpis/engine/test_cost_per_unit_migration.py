"""Tenants installed before production records read them in "Cost per unit" after the migration, with the metrics
it needs; a copy a tenant edited stays as it is; the figure of a tenant without production records is unchanged."""

from datetime import date
from decimal import Decimal as D
from importlib import import_module

from django.apps import apps

from kpis.catalogue import load_catalogue
from kpis.models import Kpi, Metric
from kpis.services import catalogue_install
from tests.factories import make_org
from tests.kpis.engine.records import ledger, production, series

migration = import_module("kpis.migrations.0015_cost_per_unit_prefers_production_records")
MAR = date(2026, 3, 1)


def _as_before_production_records(org, *, formula=migration.OLD_FORMULA):
    Metric.objects.for_org(org).filter(slug__in=migration.METRICS).delete()
    Kpi.objects.for_org(org).filter(slug="cost_per_unit").update(formula=formula, description="")


def test_the_migration_writes_what_the_catalogue_holds():
    cat = load_catalogue()
    kpi = next(k for k in cat.kpis if k["slug"] == "cost_per_unit")
    assert (kpi["formula"], kpi["description"]) == (migration.NEW_FORMULA, migration.NEW_DESCRIPTION)
    for spec in cat.metrics:
        if spec["slug"] in migration.METRICS:
            written = migration.METRICS[spec["slug"]]
            assert (spec["name"], spec["value"], spec["filters"] or {}, spec["visibility_capability"]) == (
                written["name"], written.get("value", "units"), written["filters"], written["visibility_capability"])
            assert (spec["record_type"], spec["dimension_field"], spec["date_field"]) == (
                "productionoutput", "line", "period")


def test_an_old_copy_of_cost_per_unit_reads_the_production_records_after_the_migration(catalogue, value_of):
    _as_before_production_records(catalogue)
    production(catalogue, MAR, "Débit", units=200, cost=2000)
    ledger(catalogue, "601000", date(2026, 3, 5), debit=12000)
    series(catalogue, "units_produced", date(2026, 3, 31), 400)

    migration.forwards(apps, None)

    assert Kpi.objects.for_org(catalogue).get(slug="cost_per_unit").formula == migration.NEW_FORMULA
    assert set(Metric.objects.for_org(catalogue).filter(slug__in=migration.METRICS).values_list(
        "slug", flat=True)) == set(migration.METRICS)
    assert value_of(catalogue, "cost_per_unit", MAR).value == D("10")  # 2,000 ÷ 200, not 12,000 ÷ 400


def test_a_tenant_without_production_records_keeps_its_figure(db, value_of):
    maker = make_org()
    catalogue_install(maker)
    _as_before_production_records(maker)
    ledger(maker, "601000", date(2026, 3, 5), debit=12000)
    series(maker, "units_produced", date(2026, 3, 31), 400)
    migration.forwards(apps, None)
    assert value_of(maker, "cost_per_unit", MAR).value == D("30")


def test_an_edited_copy_is_left_alone(catalogue):
    _as_before_production_records(catalogue, formula="production_costs / units_produced")
    migration.forwards(apps, None)
    assert Kpi.objects.for_org(catalogue).get(slug="cost_per_unit").formula == "production_costs / units_produced"
    assert not Metric.objects.for_org(catalogue).filter(slug__in=migration.METRICS).exists()
