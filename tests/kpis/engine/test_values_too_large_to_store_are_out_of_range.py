"""A formula whose value cannot be stored (10^18 or more) gives "value out of range", and so does every KPI that
reads it, instead of failing the whole recompute."""

from datetime import date

from config.limits import FORMULA_MAX_NUMBER_DIGITS
from kpis.models import KpiValue
from kpis.services import kpi_create
from tests.kpis.engine.records import ledger

HUGE = "9" * FORMULA_MAX_NUMBER_DIGITS


def test_a_kpi_reading_a_value_out_of_range_is_computed_without_error(catalogue, alice,
                                                                      django_capture_on_commit_callbacks):
    ledger(catalogue, "706000", date(2026, 3, 10), credit=1000)
    with django_capture_on_commit_callbacks(execute=True):
        kpi_create(org=catalogue, by=alice, slug="huge", name="Huge", formula=f"revenue * {HUGE}")
        reader = kpi_create(org=catalogue, by=alice, slug="reads_huge", name="Reads huge", formula="huge + 1")
    march = KpiValue.objects.for_org(catalogue).get(kpi=reader, grain="month", period_start=date(2026, 3, 1),
                                                    dimension_value="")
    assert march.value is None
    assert march.inputs["kpis"] == {"huge": None}
