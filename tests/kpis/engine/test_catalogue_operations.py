"""Order processing, delivery, returns, capacity, throughput and cost per unit, the arithmetic written out."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.services import catalogue_install
from tests.factories import make_org
from tests.kpis.engine.records import a_return, at, ledger, order, series

MAR = date(2026, 3, 15)


@pytest.fixture
def shop(catalogue):
    org = catalogue
    order(
        org,
        placed=at(date(2026, 3, 2), 10),
        shipped=at(date(2026, 3, 2), 22),
        units=2,
        fulfilment=10,
        promised=date(2026, 3, 5),
        delivered=date(2026, 3, 4),
    )  # 12 h, on time
    order(
        org,
        placed=at(date(2026, 3, 3), 8),
        shipped=at(date(2026, 3, 4), 8),
        units=1,
        fulfilment=6,
        promised=date(2026, 3, 6),
        delivered=date(2026, 3, 8),
    )  # 24 h, 2 days late
    order(
        org,
        placed=at(date(2026, 3, 5), 9),
        shipped=at(date(2026, 3, 8), 9),
        units=3,
        fulfilment=12,
        promised=date(2026, 3, 10),
        delivered=date(2026, 3, 10),
    )  # 72 h, on time
    order(
        org,
        placed=at(date(2026, 2, 28), 12),
        shipped=at(date(2026, 3, 2), 0),
        units=2,
        fulfilment=8,
        promised=date(2026, 3, 3),
        delivered=date(2026, 3, 7),
    )  # 36 h, 4 days late
    order(org, placed=at(date(2026, 3, 28), 9))  # not shipped yet
    a_return(org, day=date(2026, 3, 20), units=2, amount=30)
    series(org, "processing_capacity", date(2026, 3, 1), 10)
    return org


def test_order_processing_mean_median_and_p90(shop, value_of):
    assert value_of(shop, "order_processing_mean", MAR).value == D("36")  # (12 + 24 + 72 + 36) ÷ 4
    assert value_of(shop, "order_processing_median", MAR).value == D("30")  # (24 + 36) ÷ 2
    # p90: rank 0.9 × 3 = 2.7 between 36 and 72 → 36 + 0.7 × 36 = 61.2
    assert value_of(shop, "order_processing_p90", MAR).value == D("61.2")


def test_delivery_delay_and_on_time_share(shop, value_of):
    assert value_of(shop, "delivery_delay", MAR).value == D("1.5")  # (0 + 2 + 0 + 4) ÷ 4 days
    assert value_of(shop, "on_time_delivery", MAR).value == D("50")  # 2 of 4 on time


def test_returns_capacity_and_throughput(shop, value_of):
    assert value_of(shop, "return_rate", MAR).value == D("25")  # 2 units ÷ (2 + 1 + 3 + 2)
    assert value_of(shop, "return_cost", MAR).value == D("30")
    assert value_of(shop, "capacity_utilisation", MAR).value == D("40")  # 4 orders ÷ 10
    assert value_of(shop, "throughput", MAR).value == D("0.903226")  # 4 ÷ (31 ÷ 7) = 28 ÷ 31


def test_cost_per_unit_from_fulfilment_without_a_production_series(shop, value_of):
    assert value_of(shop, "cost_per_unit", MAR).value == D("4.5")  # (10 + 6 + 12 + 8) ÷ 8 units


def test_cost_per_unit_of_a_maker_from_production_cost(db, value_of):
    maker = make_org()
    catalogue_install(maker)
    ledger(maker, "601000", MAR, debit=900)  # raw materials
    ledger(maker, "641000", MAR, debit=600)  # wages
    ledger(maker, "607000", MAR, debit=1000)  # goods for resale: not production
    series(maker, "units_produced", date(2026, 3, 31), 50)
    # (900 + 600) ÷ 50 = 30
    assert value_of(maker, "cost_per_unit", MAR).value == D("30")


def test_best_four_week_run_of_the_quarter(catalogue, value_of):
    # Q1 2026: 2 orders in January, 5 between 1 and 28 February, 3 in March
    for day in (date(2026, 1, 5), date(2026, 1, 20)):
        order(catalogue, placed=at(day, 8), shipped=at(day, 10))
    for d in (1, 7, 14, 21, 28):
        order(catalogue, placed=at(date(2026, 2, d), 8), shipped=at(date(2026, 2, d), 10))
    for d in (1, 2, 3):
        order(catalogue, placed=at(date(2026, 3, d), 8), shipped=at(date(2026, 3, d), 10))
    # best 28 days: 7 Feb – 6 Mar holds 4 (7, 14, 21, 28 Feb) + 3 (1–3 Mar) = 7 orders → 7 ÷ 4 = 1.75 a week
    assert value_of(catalogue, "throughput_best_4w", date(2026, 2, 1), grain="quarter").value == D("1.75")
    # February is exactly 28 days: its 5 orders → 1.25 a week
    assert value_of(catalogue, "throughput_best_4w", date(2026, 2, 1)).value == D("1.25")
