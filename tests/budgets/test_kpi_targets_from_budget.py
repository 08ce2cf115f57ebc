"""A KPI's monthly targets from the reference budget (the `budget_<slug>` KPI)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.services import kpi_targets_from_budget
from kpis.models import KpiTarget
from tests.budgets.helpers import budget


def test_revenue_targets_are_the_budgeted_revenue_of_each_month(catalogue, alice):
    version = budget(catalogue, date(2026, 1, 1), {"706": 1000, "707": 500, "64": 300})
    budget(catalogue, date(2026, 2, 1), {"706": 1200})
    assert kpi_targets_from_budget(budget=version.budget, kpi_slug="revenue", by=alice) == 12
    targets = dict(KpiTarget.objects.for_org(catalogue).filter(kpi__slug="revenue", grain="month")
                   .values_list("period_start", "value"))
    assert targets[date(2026, 1, 1)] == Decimal(1500) and targets[date(2026, 2, 1)] == Decimal(1200)
    assert targets[date(2026, 12, 1)] == 0  # budgeted at nothing: a zero target, as typed


def test_a_kpi_without_a_budget_counterpart_is_refused(catalogue, alice):
    version = budget(catalogue, date(2026, 1, 1), {"706": 1000})
    with pytest.raises(ValidationError):
        kpi_targets_from_budget(budget=version.budget, kpi_slug="dso", by=alice)
