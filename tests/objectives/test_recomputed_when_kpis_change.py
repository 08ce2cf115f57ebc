"""Forecasts and the feasibility check follow the KPI engine: a recompute (new computed_at) is seen at once."""

from datetime import date, timedelta
from decimal import Decimal as D

from django.utils import timezone

from kpis.selectors import Forecast
from objectives import selectors
from objectives.selectors import objective_node
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

TODAY = date(2026, 11, 16)


def test_a_recomputed_kpi_value_refreshes_the_cached_forecast(acme, alice, monkeypatch):
    revenue = make_kpi(acme, slug="revenue")
    value = make_kpi_value(acme, kpi=revenue, value="200000")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    forecasts = iter([D("400000"), D("450000")])
    monkeypatch.setattr(selectors, "kpi_forecast", lambda org, **kw: Forecast(next(forecasts), None, None, "test"))

    assert objective_node(acme, objective=objective, today=TODAY).key_results[0].forecast == D("400000")
    # Cached while the KPI value is unchanged: the fake engine is not asked again.
    assert objective_node(acme, objective=objective, today=TODAY).key_results[0].forecast == D("400000")
    value.computed_at = timezone.now() + timedelta(seconds=1)
    value.save(update_fields=["computed_at"])
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
