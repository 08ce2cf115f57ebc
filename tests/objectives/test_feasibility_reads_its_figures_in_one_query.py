"""A feasibility check reads the values and forecasts of its target KPI and every driver in one query: a
product of two drivers, each split further, costs no more than a KPI with none. A quarter not started yet
has forecasts and no value: the check reasons on those forecasts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.capabilities import Role
from kpis.models import Kpi, KpiForecast
from objectives.derivation import analyse
from objectives.feasibility import ABSORBABLE
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # in Q4 2026
Q1 = (date(2027, 1, 1), date(2027, 3, 31))  # not started yet


def _forecast(kpi, value, *, start=Q1[0], end=Q1[1], method=KpiForecast.Method.SUM_OF_MONTHS):
    KpiForecast.objects.create(organization=kpi.organization, kpi=kpi, grain="quarter", period_start=start,
                               period_end=end, value=D(value), method=method, as_of=TODAY,
                               computed_at=timezone.now())


def _drivers(org):
    revenue = make_kpi(org, slug="revenue", formula="revenue_invoices")
    orders = make_kpi(org, slug="orders", formula="sessions * conversion_rate", unit=Kpi.Unit.COUNT,
                      owner_role=Role.COO)
    make_kpi(org, slug="average_basket", formula="revenue / orders", owner_role=Role.CRO)
    make_kpi(org, slug="sessions", formula="web_sessions", unit=Kpi.Unit.COUNT, owner_role=Role.CRO)
    make_kpi(org, slug="conversion_rate", formula="orders_placed / web_sessions", unit=Kpi.Unit.PERCENT,
             owner_role=Role.CRO)
    return revenue, orders


def _queries_of_analyse(org, objective) -> int:
    with CaptureQueriesContext(connection) as ctx:
        analyse(org, objective=objective, today=TODAY)
    return len(ctx.captured_queries)


def test_the_drivers_cost_no_query_of_their_own(acme, alice):
    alone = make_kpi(acme, slug="cash_in", formula="receipts")
    _forecast(alone, "90", start=date(2026, 10, 1), end=date(2026, 12, 31))
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=alone, start="0", target="100")
    without_drivers = _queries_of_analyse(acme, objective)

    # revenue = new business + recurring revenue: two drivers, each with its forecast.
    revenue = make_kpi(acme, slug="revenue", formula="new_business + recurring")
    for slug, value in (("new_business", "100000"), ("recurring", "200000")):
        _forecast(make_kpi(acme, slug=slug, formula=f"{slug}_invoices"), value, start=date(2026, 10, 1),
                  end=date(2026, 12, 31))
    _forecast(revenue, "300000", start=date(2026, 10, 1), end=date(2026, 12, 31))
    with_drivers = make_objective(acme, owner=alice)
    make_key_result(with_drivers, kpi=revenue, start="0", target="500000")
    moves = analyse(acme, objective=with_drivers, today=TODAY).feasibility.moves

    assert {m.slug: m.needed for m in moves} == {"new_business": D("300000"), "recurring": D("400000")}
    # The objective's key results, the active KPIs, then every figure at once.
    assert _queries_of_analyse(acme, with_drivers) == without_drivers == 3


def test_a_quarter_not_started_yet_is_judged_on_the_engines_forecasts(acme, alice):
    revenue, orders = _drivers(acme)
    basket = Kpi.objects.for_org(acme).get(slug="average_basket")
    _forecast(revenue, "300000")
    _forecast(orders, "2000")
    _forecast(basket, "150", method=KpiForecast.Method.RATIO_OF_FORECASTS)
    make_kpi_value(acme, kpi=revenue, value="999999")  # the running quarter's value: not the one reasoned on
    objective = make_objective(acme, owner=alice, start=Q1[0], end=Q1[1])
    make_key_result(objective, kpi=revenue, start="0", target="450000")

    f = analyse(acme, objective=objective, today=TODAY).feasibility

    assert f.baseline == D("300000") and f.verdict == ABSORBABLE
    # revenue = orders × average basket: 450/300 of each driver on its own.
    assert {m.slug: m.needed for m in f.moves} == {"orders": D("3000"), "average_basket": D("225")}


def test_a_forecast_too_early_to_make_falls_back_to_the_period_before(acme, alice):
    revenue = make_kpi(acme, slug="revenue", formula="revenue_invoices")
    _forecast(revenue, "1", start=date(2026, 10, 1), end=date(2026, 12, 31), method=KpiForecast.Method.TOO_EARLY)
    make_kpi_value(acme, kpi=revenue, value="210000", start=date(2026, 7, 1), end=date(2026, 9, 30))
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="250000")

    assert analyse(acme, objective=objective, today=TODAY).feasibility.baseline == D("210000")
