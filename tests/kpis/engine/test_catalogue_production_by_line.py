"""Production records (units and cost per month and line): units produced, production cost and cost per unit,
in total and per line, the arithmetic written out; cost per unit prefers them to the ledger and the series."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.engine.metrics import NO_DIMENSION
from kpis.selectors import WhatIfChange, what_if
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import ledger, production, series

MAR = date(2026, 3, 1)
APR = date(2026, 4, 1)
TODAY = date(2026, 6, 15)


@pytest.fixture
def workshop(catalogue):
    """March: 12,000 of production on the ledger for 400 units in the series: 30 per unit."""
    ledger(catalogue, "601000", date(2026, 3, 5), debit=8000)
    ledger(catalogue, "641000", date(2026, 3, 28), debit=4000)
    series(catalogue, "units_produced", date(2026, 3, 31), 400)
    return catalogue


@pytest.fixture
def lines(workshop):
    """March by line: cutting 200 units for 2,000, assembly 150 for 4,500, finishing 50 with no known cost."""
    production(workshop, MAR, "Débit", units=200, cost=2000)
    production(workshop, MAR, "Assemblage", units=150, cost="4500.00")
    production(workshop, MAR, "Finition", units=50)
    return workshop


def test_a_maker_without_production_records_keeps_cost_per_unit_from_the_ledger_and_the_series(workshop, value_of):
    assert value_of(workshop, "cost_per_unit", MAR).value == D("30")  # 12,000 ÷ 400


def test_cost_per_unit_prefers_the_production_records(lines, value_of):
    # (2,000 + 4,500) ÷ (200 + 150): finishing, whose cost is not known, is left out of both
    assert value_of(lines, "cost_per_unit", MAR).value == D("18.571429")


def test_units_cost_and_cost_per_unit_by_line(lines, value_of):
    assert value_of(lines, "line_units_produced", MAR).value == D("400")  # 200 + 150 + 50
    assert value_of(lines, "line_units_produced", MAR, dim="Finition").value == D("50")
    assert value_of(lines, "line_production_cost", MAR).value == D("6500")
    assert value_of(lines, "line_production_cost", MAR, dim="Assemblage").value == D("4500")
    assert value_of(lines, "line_cost_per_unit", MAR).value == D("18.571429")
    assert value_of(lines, "line_cost_per_unit", MAR, dim="Débit").value == D("10")  # 2,000 ÷ 200
    assert value_of(lines, "line_cost_per_unit", MAR, dim="Assemblage").value == D("30")  # 4,500 ÷ 150
    assert value_of(lines, "line_cost_per_unit", MAR, dim="Finition").value is None  # no cost known


def test_a_row_without_a_line_is_the_whole_plant(catalogue, value_of):
    production(catalogue, MAR, "", units=80, cost=1200)
    assert value_of(catalogue, "line_cost_per_unit", MAR, dim=NO_DIMENSION).value == D("15")
    assert value_of(catalogue, "cost_per_unit", MAR).value == D("15")


def test_a_month_the_records_leave_without_cost_falls_back_to_the_ledger_and_the_series(lines, value_of):
    production(lines, APR, "Finition", units=60)  # April: the records have units, no cost
    ledger(lines, "601000", date(2026, 4, 10), debit=6000)
    series(lines, "units_produced", date(2026, 4, 30), 300)
    assert value_of(lines, "cost_per_unit", APR).value == D("20")  # 6,000 ÷ 300


def test_production_cost_is_still_units_produced_times_cost_per_unit(lines):
    kpi_values_recompute(org=lines, today=TODAY)
    result = what_if(lines, period=_march(), changes={"units_produced": WhatIfChange(pct=D(10))})
    assert result["production_costs"] == (D("12000"), D("13200"))
    assert result["cost_per_unit"] == (D("18.571429"), D("18.571429"))


def _march():
    from kpis.periods import period_containing

    return period_containing(MAR)


def test_a_recompute_records_that_the_company_has_production_records(lines):
    from kpis.selectors import record_types_present

    kpi_values_recompute(org=lines, today=TODAY)
    assert record_types_present(lines, record_types={"productionoutput", "order"}) == {"productionoutput"}
