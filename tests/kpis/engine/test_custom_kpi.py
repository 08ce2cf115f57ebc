"""A user adds a custom KPI: its formula is checked (references, cycles) and its values are computed."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kpis.engine.formula import FormulaError
from kpis.models import Kpi, KpiValue
from kpis.services import kpi_create, kpi_formula_check, kpi_update
from tests.kpis.engine.records import ledger


def test_a_custom_kpi_is_computed_after_it_is_saved(catalogue, alice, django_capture_on_commit_callbacks):
    ledger(catalogue, "706000", date(2026, 3, 10), credit=1000)
    ledger(catalogue, "641000", date(2026, 3, 10), debit=250)
    with django_capture_on_commit_callbacks(execute=True):
        kpi = kpi_create(
            org=catalogue,
            by=alice,
            slug="payroll_share",
            name="Payroll share of revenue",
            formula="personnel / revenue * 100",
            unit="percent",
            visibility_capability="kpis.view_costs",  # payroll is cost detail
        )
    march = KpiValue.objects.for_org(catalogue).get(
        kpi=kpi, grain="month", period_start=date(2026, 3, 1), dimension_value=""
    )
    assert march.value == D("25")  # 250 ÷ 1,000 × 100
    assert march.inputs == {"metrics": {"personnel": "250"}, "kpis": {"revenue": "1000"}}


def test_an_unknown_reference_is_refused_with_its_position(catalogue, alice):
    with pytest.raises(ValidationError) as error:
        kpi_create(org=catalogue, by=alice, slug="oops", name="Oops", formula="revenue / revenu")
    assert "Unknown metric or KPI 'revenu' at position 10" in str(error.value)
    assert not Kpi.objects.for_org(catalogue).filter(slug="oops").exists()


def test_a_cycle_is_refused_on_save_naming_the_cycle(catalogue, alice):
    kpi_create(org=catalogue, by=alice, slug="first", name="First", formula="revenue * 2", recompute=False)
    kpi_create(org=catalogue, by=alice, slug="second", name="Second", formula="first + 1", recompute=False)
    first = Kpi.objects.for_org(catalogue).get(slug="first")
    with pytest.raises(ValidationError) as error:
        kpi_update(kpi=first, by=alice, formula="second - 1")
    assert "Circular reference: first → second → first" in str(error.value)
    first.refresh_from_db()
    assert first.formula == "revenue * 2"


def test_a_kpi_cannot_read_itself(catalogue):
    with pytest.raises(FormulaError, match="Circular reference: revenue → revenue"):
        kpi_formula_check(catalogue, formula="revenue + 1", kpi_slug="revenue")


def test_slugs_must_be_formula_names_and_unique_across_metrics_and_kpis(catalogue, alice):
    with pytest.raises(ValidationError):
        kpi_create(org=catalogue, by=alice, slug="has-dash", name="x", formula="1")
    with pytest.raises(ValidationError):
        kpi_create(org=catalogue, by=alice, slug="personnel", name="x", formula="1")  # a metric's slug


def test_another_tenants_kpis_are_unknown_references(catalogue, globex, alice):
    from kpis.services import catalogue_install

    catalogue_install(globex)
    kpi_create(org=globex, by=None, slug="globex_only", name="G", formula="revenue", recompute=False)
    with pytest.raises(ValidationError, match="Unknown metric or KPI 'globex_only'"):
        kpi_create(org=catalogue, by=alice, slug="peek", name="Peek", formula="globex_only")


def test_a_custom_kpi_is_deleted_unless_another_formula_reads_it(catalogue, alice):
    from kpis.services import kpi_delete

    base = kpi_create(org=catalogue, by=alice, slug="base", name="Base", formula="revenue", recompute=False)
    kpi_create(org=catalogue, by=alice, slug="derived", name="Derived", formula="base * 2", recompute=False)
    with pytest.raises(ValidationError, match="read by derived"):
        kpi_delete(kpi=base, by=alice)
    kpi_delete(kpi=Kpi.objects.for_org(catalogue).get(slug="derived"), by=alice)
    kpi_delete(kpi=base, by=alice)
    assert not Kpi.objects.for_org(catalogue).filter(slug__in=["base", "derived"]).exists()
    with pytest.raises(ValidationError, match="built-in"):
        kpi_delete(kpi=Kpi.objects.for_org(catalogue).get(slug="arr"), by=alice)


def test_a_deactivated_kpi_is_not_materialised_but_still_feeds_its_readers(catalogue, alice):
    from kpis.services import kpi_values_recompute

    ledger(catalogue, "707000", date(2026, 3, 10), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 10), debit=600)
    kpi_update(
        kpi=Kpi.objects.for_org(catalogue).get(slug="revenue"), by=alice, is_active=False, recompute=False
    )
    kpi_values_recompute(org=catalogue, today=date(2026, 6, 15))
    assert not KpiValue.objects.for_org(catalogue).filter(kpi__slug="revenue").exists()
    margin = KpiValue.objects.for_org(catalogue).get(
        kpi__slug="gross_margin_pct", grain="month", period_start=date(2026, 3, 1)
    )
    assert margin.value == D("40")  # (1,000 − 600) ÷ 1,000
