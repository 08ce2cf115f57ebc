from decimal import Decimal as D

from objectives.scoring import DECREASE, INCREASE, key_result_progress


def test_increasing_key_result_is_the_share_of_the_way_from_start_to_target():
    # NRR from 100 % to 105 %: at 102 % two fifths of the way is done.
    assert key_result_progress(start=D("100"), target=D("105"), current=D("102"), direction=INCREASE) == D("0.4")


def test_decreasing_key_result_with_target_below_start_progresses_as_the_value_falls():
    # Cost per unit from 50 € to 46 € (−8 %): at 48 € half the way is done.
    assert key_result_progress(start=D("50"), target=D("46"), current=D("48"), direction=DECREASE) == D("0.5")


def test_a_decreasing_key_result_that_rose_has_negative_progress():
    assert key_result_progress(start=D("50"), target=D("46"), current=D("52"), direction=DECREASE) == D("-0.5")


def test_beating_the_target_gives_more_than_one():
    assert key_result_progress(start=D("0"), target=D("500000"), current=D("550000"), direction=INCREASE) == D("1.1")


def test_no_current_value_means_unknown_progress():
    assert key_result_progress(start=D("0"), target=D("10"), current=None, direction=INCREASE) is None


def test_a_hold_the_line_key_result_is_met_or_not():
    assert key_result_progress(start=D("6"), target=D("6"), current=D("5.5"), direction=DECREASE) == 1
    assert key_result_progress(start=D("6"), target=D("6"), current=D("6.5"), direction=DECREASE) == 0
