"""Feasibility arithmetic on a constructed driver tree: revenue = orders × average basket."""

from decimal import Decimal as D

from objectives.feasibility import (
    ABSORBABLE,
    BEYOND_CAPACITY,
    PRODUCT,
    REACHABLE,
    SUM,
    UNKNOWN,
    Driver,
    feasibility_check,
)

# Q4: 91 days = 13 weeks. Current run-rate: 2,000 orders × 150 € = 300 K€; target 500 K€.
DRIVERS = [Driver("orders", "Orders", D("2000"), is_volume=True), Driver("average_basket", "Average basket", D("150"))]


def test_the_gap_is_spread_on_each_driver_of_a_product_alone():
    f = feasibility_check(target=D("500000"), baseline=D("300000"), shape=PRODUCT, drivers=DRIVERS, days=91)
    orders, basket = f.moves
    assert f.gap == D("200000")
    # 2,000 × 500/300 = 3,333.33 orders, i.e. 256.4 a week instead of 153.8: +102.6 a week.
    assert orders.needed.quantize(D("0.01")) == D("3333.33")
    assert orders.delta_per_week.quantize(D("0.1")) == D("102.6")
    # Or the basket alone: 150 × 5/3 = 250 €.
    assert basket.needed == D("250")
    assert f.verdict == ABSORBABLE


def test_a_volume_beyond_the_measured_capacity_cannot_be_absorbed():
    f = feasibility_check(target=D("500000"), baseline=D("300000"), shape=PRODUCT, drivers=DRIVERS, days=91,
                          capacity_per_week=D("210"), capacity_source="best week")
    assert f.verdict == BEYOND_CAPACITY
    # 256.4 needed a week against 210 handled: 46.4 short.
    assert f.headroom_per_week.quantize(D("0.1")) == D("-46.4")
    assert any("210/week at most" in s and "47/week short" in s for s in f.sentences)


def test_within_capacity_the_check_says_operations_can_absorb_it():
    f = feasibility_check(target=D("500000"), baseline=D("300000"), shape=PRODUCT, drivers=DRIVERS, days=91,
                          capacity_per_week=D("300"), capacity_source="best week")
    assert f.verdict == ABSORBABLE
    assert f.headroom_per_week.quantize(D("0.1")) == D("43.6")


def test_a_sum_puts_the_whole_gap_on_one_driver():
    drivers = [Driver("new_mrr", "New MRR", D("20000")), Driver("recurring", "Recurring", D("80000"))]
    f = feasibility_check(target=D("110000"), baseline=D("100000"), shape=SUM, drivers=drivers, days=91)
    assert [m.needed for m in f.moves] == [D("30000"), D("90000")]


def test_a_target_under_the_run_rate_is_reachable_as_things_stand():
    f = feasibility_check(target=D("250000"), baseline=D("300000"), shape=PRODUCT, drivers=DRIVERS, days=91)
    assert f.verdict == REACHABLE


def test_without_a_baseline_the_check_says_it_cannot_tell():
    f = feasibility_check(target=D("500000"), baseline=None, shape=PRODUCT, drivers=DRIVERS, days=91)
    assert f.verdict == UNKNOWN
    assert f.moves == []
