"""`budget_variances`: each reference line × month against the ledger, signed so that an overrun is positive."""

from datetime import date
from decimal import Decimal

from budgets.selectors import BudgetVariance, budget_variances
from tests.budgets.helpers import budget
from tests.kpis.engine.records import ledger

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_each_line_and_month_has_its_budget_actual_and_signed_variance(acme):
    budget(acme, JAN, {"60": 100, "607": 500, "706": 1000}, label="L")
    ledger(acme, "607100", date(2026, 1, 10), debit=600)  # goods: the 607 line's, not the 60 line's
    ledger(acme, "606000", date(2026, 1, 12), debit=80)  # the 60 line's
    ledger(acme, "606000", date(2026, 1, 20), credit=5)  # a credit note lowers the charge
    ledger(acme, "706000", date(2026, 1, 31), credit=900)
    ledger(acme, "641000", date(2026, 1, 31), debit=999)  # no budget line: not listed
    rows = budget_variances(acme, period_start=JAN, period_end=date(2026, 1, 31))
    assert rows == [
        BudgetVariance("L", "60", JAN, Decimal(100), Decimal(75), Decimal(-25), Decimal("-25.00"), True),
        BudgetVariance("L", "607", JAN, Decimal(500), Decimal(600), Decimal(100), Decimal("20.00"), True),
        BudgetVariance("L", "706", JAN, Decimal(1000), Decimal(900), Decimal(-100), Decimal("-10.00"), False),
    ]


def test_months_outside_the_period_and_other_versions_are_left_out(acme):
    budget(acme, JAN, {"64": 10})
    budget(acme, FEB, {"64": 20})
    budget(acme, FEB, {"64": 99}, version="Draft")  # not the reference
    rows = budget_variances(acme, period_start=FEB, period_end=FEB)
    assert [(r.period_start, r.budget) for r in rows] == [(FEB, Decimal(20))]


def test_a_zero_budget_has_no_percentage(acme):
    budget(acme, JAN, {"62": 0})
    ledger(acme, "622600", JAN, debit=50)
    [row] = budget_variances(acme, period_start=JAN, period_end=JAN)
    assert (row.variance, row.variance_pct) == (Decimal(50), None)


def test_another_tenants_budget_and_ledger_never_count(acme, globex):
    budget(globex, JAN, {"64": 10})
    budget(acme, JAN, {"64": 10})
    ledger(globex, "641000", JAN, debit=1000)
    [row] = budget_variances(acme, period_start=JAN, period_end=JAN)
    assert row.actual == 0


def test_two_queries_whatever_the_number_of_lines(acme, django_assert_num_queries):
    budget(acme, JAN, {f"6{i:02d}": i for i in range(30)})
    with django_assert_num_queries(2):
        assert len(budget_variances(acme, period_start=JAN, period_end=JAN)) == 30
