"""MRR, retention, churn and unit economics on a four-customer SaaS, the arithmetic written out."""

from datetime import date
from decimal import Decimal as D

import pytest

from tests.kpis.engine.records import customer, ledger, spend, subscription

MAR = date(2026, 3, 15)


@pytest.fixture
def saas(catalogue):
    org = catalogue
    a = customer(org, acquired=date(2025, 12, 1))
    b = customer(org, acquired=date(2025, 11, 1), churned=date(2026, 3, 20))
    c = customer(org, acquired=date(2025, 10, 1))
    d = customer(org, acquired=date(2026, 3, 15))
    subscription(org, a, mrr=100, start=date(2025, 12, 1))
    subscription(org, a, mrr=50, start=date(2026, 3, 10))  # expansion
    subscription(org, b, mrr=200, start=date(2025, 11, 1), end=date(2026, 3, 20))  # churned
    subscription(org, c, mrr=300, start=date(2025, 10, 1), end=date(2026, 3, 5))
    subscription(org, c, mrr=250, start=date(2026, 3, 5))  # contraction by 50
    subscription(org, d, mrr=80, start=date(2026, 3, 15))  # new customer
    spend(org, day=date(2026, 3, 3), channel="ads", amount=400)
    spend(org, day=date(2026, 3, 4), channel="seo", amount=200)
    ledger(org, "707000", MAR, credit=1000)
    ledger(org, "607000", MAR, debit=250)  # gross margin 75 %
    return org


def test_mrr_and_arr_at_period_end(saas, value_of):
    # A 100 + 50, C 250, D 80 (B ended on 20 March) = 480
    assert value_of(saas, "mrr", MAR).value == D("480")
    assert value_of(saas, "arr", MAR).value == D("5760")  # 12 × 480


def test_nrr_and_grr_exclude_new_customers(saas, value_of):
    # start (28 Feb): A 100, B 200, C 300 = 600. Their end MRR: A 150, B 0, C 250 = 400 → 400 ÷ 600 = 66.666667 %
    assert value_of(saas, "nrr", MAR).value == D("66.666667")
    # gross: min(150, 100) + min(0, 200) + min(250, 300) = 350 → 350 ÷ 600 = 58.333333 %
    assert value_of(saas, "grr", MAR).value == D("58.333333")


def test_churn_rate_is_customers_lost_over_customers_at_start(saas, value_of):
    # at start: A, B, C; lost in March: B → 1 ÷ 3 = 33.333333 %
    assert value_of(saas, "churn_rate", MAR).value == D("33.333333")


def test_cac_arpa_ltv_and_payback(saas, value_of):
    # CAC: (400 + 200) spend ÷ 1 new customer (D) = 600
    assert value_of(saas, "cac", MAR).value == D("600")
    # ARPA: 480 MRR ÷ 3 paying customers (A, C, D) = 160
    assert value_of(saas, "arpa", MAR).value == D("160")
    # LTV: 160 × 75 ÷ (33.333…% ÷ 1 month) = 12,000 ÷ 33.333… = 360
    assert value_of(saas, "ltv", MAR).value == D("360")
    assert value_of(saas, "ltv_cac", MAR).value == D("0.6")  # 360 ÷ 600
    # payback: 600 ÷ (160 × 75 %) = 600 ÷ 120 = 5 months
    assert value_of(saas, "cac_payback", MAR).value == D("5")


def test_ltv_without_churn_has_no_value(saas, value_of):
    feb = value_of(saas, "ltv", date(2026, 2, 10))
    assert feb.value is None  # nobody churned in February: the LTV is unbounded, not a number


def test_churn_from_subscriptions_when_customers_carry_no_churn_date(catalogue, value_of):
    a, b, c = (customer(catalogue) for _ in range(3))  # no acquisition or churn dates
    subscription(catalogue, a, mrr=100, start=date(2026, 1, 1))
    subscription(catalogue, b, mrr=100, start=date(2026, 1, 1), end=date(2026, 3, 10))  # lost in March
    subscription(catalogue, c, mrr=100, start=date(2026, 1, 1), end=date(2026, 3, 10))
    subscription(catalogue, c, mrr=80, start=date(2026, 3, 10))  # downgraded, not lost
    # at start of March: a, b, c; lost by 31 March: b → 1 ÷ 3
    assert value_of(catalogue, "churn_rate", MAR).value == D("33.333333")
