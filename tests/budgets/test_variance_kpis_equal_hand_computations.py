"""Budget variance KPIs, computed by the engine from the reference budget, against hand computations.

The ledger is PRODUCT.md's SIG worked check (March 2026); the reference budget of March is below; a
second version with other amounts must change nothing until it becomes the reference.
"""

from datetime import date
from decimal import Decimal

import pytest

from budgets.services import budget_version_make_reference
from tests.budgets.helpers import budget
from tests.kpis.engine.test_sig_worked_check import MARCH, _book_the_worked_example

REFERENCE = {"707": 900, "706": 250, "607": 550, "601": 70, "62": 50, "63": 30, "64": 300}


@pytest.fixture
def books(catalogue):
    _book_the_worked_example(catalogue)
    budget(catalogue, MARCH, REFERENCE)
    budget(catalogue, MARCH, {prefix: 1 for prefix in REFERENCE}, version="Revised")
    return catalogue


def pct(variance, budgeted):
    return Decimal(variance) / Decimal(budgeted) * 100


@pytest.mark.parametrize(("slug", "budgeted", "variance"), [
    # revenue: 1,000 + 200 actual against 900 + 250
    ("revenue", 1150, 50),
    # gross margin: (1,200 − 601 60 − 607 600 − 6037 50) actual against 1,150 − 550 − 70
    ("gross_margin", 530, -40),
    # external charges (60, 61, 62 but goods): 601 60 + 622 40 actual against 70 + 50
    ("external_charges", 120, -20),
    # personnel: wages 200 + social charges 80 against 300
    ("personnel", 300, -20),
    # EBE: 140 (the worked check) against 1,150 − (550 + 70 + 50 + 30 + 300)
    ("ebe", 150, -10),
])
def test_each_sig_line_has_its_budget_its_variance_and_its_percentage(books, value_of, slug, budgeted, variance):
    assert value_of(books, f"budget_{slug}", MARCH).value == Decimal(budgeted)
    assert value_of(books, f"{slug}_budget_variance", MARCH).value == Decimal(variance)
    assert value_of(books, f"{slug}_budget_variance_pct", MARCH).value.quantize(Decimal("0.0001")) == \
        pct(variance, budgeted).quantize(Decimal("0.0001"))


def test_the_charges_variance_is_positive_for_an_overrun_per_cost_line(books, value_of):
    # class 6 excl. 66, 67, 69: 600 + 50 + 60 + 40 + 30 + 200 + 80 + 20 actual against 550 + 70 + 50 + 30 + 300
    assert value_of(books, "budget_variance", MARCH).value == Decimal(80)
    # class 60: 600 + 50 + 60 against 550 + 70: an overrun
    assert value_of(books, "budget_variance", MARCH, dim="60").value == Decimal(90)


def test_quarter_and_year_add_up_their_months(books, value_of):
    budget(books, date(2026, 2, 1), {"64": 100})  # February: no wages booked, 100 budgeted
    assert value_of(books, "personnel_budget_variance", MARCH, grain="quarter").value == Decimal(-120)
    assert value_of(books, "personnel_budget_variance", MARCH, grain="year").value == Decimal(-120)


def test_another_version_counts_once_it_is_the_reference(books, value_of):
    revised = budget(books, MARCH, {}, version="Revised")
    budget_version_make_reference(version=revised, by=None)
    assert value_of(books, "budget_personnel", MARCH).value == Decimal(1)


def test_no_budget_means_no_value_not_a_zero_budget(catalogue, value_of):
    _book_the_worked_example(catalogue)
    assert value_of(catalogue, "personnel_budget_variance", MARCH).value is None
