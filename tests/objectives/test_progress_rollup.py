from decimal import Decimal as D

from objectives.scoring import rollup


def test_parent_progress_is_the_weighted_mean_of_its_key_results_and_children():
    # Two key results (40 % and 70 %, weight 1) and a child objective at 100 % with weight 2:
    # (0.4 + 0.7 + 2 × 1.0) ÷ 4 = 0.775.
    assert rollup([(D("0.4"), 1), (D("0.7"), 1), (D("1.0"), 2)]) == D("0.775")


def test_items_beyond_target_or_below_start_count_as_done_or_not_started():
    # 1.5 counts as 1 and −0.2 as 0: (1 + 0) ÷ 2.
    assert rollup([(D("1.5"), 1), (D("-0.2"), 1)]) == D("0.5")


def test_items_without_data_are_left_out_of_the_weights():
    assert rollup([(D("0.6"), 1), (None, 3)]) == D("0.6")


def test_nothing_known_gives_unknown_progress():
    assert rollup([(None, 1)]) is None
    assert rollup([]) is None
