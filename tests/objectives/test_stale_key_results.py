"""A key result whose data or last check-in is stale is flagged."""

from datetime import date, timedelta

from django.utils import timezone

from objectives.selectors import STALE_DATA_DAYS, objective_node
from tests.objectives.helpers import make_check_in, make_key_result, make_kpi, make_kpi_value, make_objective

TODAY = date(2026, 11, 16)


def test_kpi_data_computed_long_ago_is_stale(acme, alice):
    kpi = make_kpi(acme)
    make_kpi_value(acme, kpi=kpi, value="10", computed_at=timezone.now() - timedelta(days=STALE_DATA_DAYS + 1))
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=kpi)
    make_check_in(objective, on=TODAY)
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.is_data_stale and not kr.is_check_in_stale


def test_no_check_in_for_two_cadences_is_stale(acme, alice):
    kpi = make_kpi(acme)
    make_kpi_value(acme, kpi=kpi, value="10")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=kpi)
    make_check_in(objective, on=TODAY - timedelta(days=15))
    kr = objective_node(acme, objective=objective, today=TODAY).key_results[0]
    assert kr.is_check_in_stale and not kr.is_data_stale


def test_fresh_data_and_a_recent_check_in_are_not_flagged(acme, alice, client):
    kpi = make_kpi(acme)
    make_kpi_value(acme, kpi=kpi, value="10")
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=kpi)
    make_check_in(objective, on=TODAY - timedelta(days=3))
    assert not objective_node(acme, objective=objective, today=TODAY).key_results[0].is_stale
