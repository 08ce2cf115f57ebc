"""Forecasts and the feasibility check follow the KPI engine: what a recompute materialised is seen at once."""

from datetime import date
from decimal import Decimal as D

from django.utils import timezone

from objectives.selectors import objective_node
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

TODAY = date(2026, 11, 16)


def _forecast(kpi, value: str):
    from kpis.models import KpiForecast

    KpiForecast.objects.update_or_create(
        organization=kpi.organization, kpi=kpi, grain="quarter", period_start=date(2026, 10, 1),
        defaults={"period_end": date(2026, 12, 31), "value": D(value), "method": "sum_of_months",
                  "elapsed": D("0.5"), "as_of": TODAY, "computed_at": timezone.now()})


def test_the_cascade_reads_the_forecast_the_recompute_materialised(acme, alice):
    revenue = make_kpi(acme, slug="revenue")
    make_kpi_value(acme, kpi=revenue, value="200000")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    _forecast(revenue, "400000")
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.forecast == D("400000")
    assert kr.forecast_method == "The closed months' actuals (0) plus each open month's forecast."
    _forecast(revenue, "450000")  # the next recompute (or the daily refresh) rewrites it: seen at once
    assert objective_node(acme, objective=objective, today=TODAY).key_results[0].forecast == D("450000")


def test_the_feasibility_check_reads_the_latest_values(acme, alice):
    from objectives.derivation import analyse

    revenue = make_kpi(acme, slug="revenue")
    value = make_kpi_value(acme, kpi=revenue, value="300000")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    after_the_quarter = date(2027, 1, 5)
    assert analyse(acme, objective=objective, today=after_the_quarter).feasibility.gap == D("200000")
    value.value = D("450000")
    value.save(update_fields=["value"])
    assert analyse(acme, objective=objective, today=after_the_quarter).feasibility.gap == D("50000")
