"""The driver tree of a KPI, and what-if simulations that save nothing."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.models import KpiValue
from kpis.periods import period_containing
from kpis.selectors import WhatIfChange, driver_tree, kpi_by_slug, what_if
from tests.kpis.engine.records import ledger

MARCH = period_containing(date(2026, 3, 1))


def test_the_driver_tree_follows_the_formulas_down_to_metrics(catalogue):
    tree = driver_tree(catalogue, kpi=kpi_by_slug(catalogue, slug="ebe"))
    assert (tree.kind, tree.formula) == ("kpi", "value_added + operating_grants - taxes - personnel")
    assert [(c.slug, c.kind) for c in tree.children] == [
        ("operating_grants", "metric"),
        ("personnel", "metric"),
        ("taxes", "metric"),
        ("value_added", "kpi"),
    ]
    value_added = tree.children[3]
    assert [c.slug for c in value_added.children] == [
        "commercial_margin",
        "external_consumption",
        "production",
    ]
    assert "accounts 64" in tree.children[1].formula


@pytest.fixture
def march_books(catalogue):
    ledger(catalogue, "707000", date(2026, 3, 5), credit=1000)
    ledger(catalogue, "607000", date(2026, 3, 5), debit=600)
    return catalogue


def test_raising_a_driver_by_a_percentage_moves_every_dependent_kpi(march_books):
    result = what_if(march_books, period=MARCH, changes={"sales_goods": WhatIfChange(pct=D(10))})
    assert result["commercial_margin"] == (D("400"), D("500"))  # (1,000 × 1.1) − 600
    assert result["net_result"] == (D("400"), D("500"))
    assert "revenue" not in result  # revenue reads class 70, not sales of goods


def test_setting_a_kpi_to_a_value(march_books):
    result = what_if(march_books, period=MARCH, changes={"revenue": WhatIfChange(value=D(2000))})
    assert result["gross_margin_pct"] == (D("40"), D("70"))  # (2,000 − 600) ÷ 2,000
    assert result["revenue"] == (D("1000"), D("2000"))


def test_what_if_saves_nothing(march_books):
    before = KpiValue.objects.for_org(march_books).count()
    what_if(march_books, period=MARCH, changes={"revenue_ledger": WhatIfChange(pct=D(-50))})
    assert KpiValue.objects.for_org(march_books).count() == before
