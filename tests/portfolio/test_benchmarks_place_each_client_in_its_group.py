"""Benchmarks: each client against its group's median and quartiles, over what the viewer may see."""

from decimal import Decimal

import pytest

from accounts.capabilities import Role
from portfolio.benchmarks import GROWTH, group_benchmarks, quartiles
from portfolio.clients import reading_clients
from portfolio.services import client_group_create
from tests.conftest import url
from tests.portfolio.helpers import client_of, consultant_of, month, value

pytestmark = pytest.mark.django_db


def test_quartiles_interpolate_between_closest_ranks():
    assert quartiles([Decimal(v) for v in (10, 20, 30, 40, 50)]) == (Decimal(20), Decimal(30), Decimal(40))
    assert quartiles([Decimal(v) for v in (1, 2, 3, 4)]) == (Decimal("1.75"), Decimal("2.5"), Decimal("3.25"))
    assert quartiles([Decimal(7)]) == (Decimal(7), Decimal(7), Decimal(7))


def _bench(member):
    with reading_clients(member) as clients:
        return group_benchmarks(member.organization, clients)[1]


def test_each_client_is_placed_against_the_quartiles_of_its_group(capfirm):
    olivier = consultant_of(capfirm)
    dsos = {"A": 30, "B": 40, "C": 50, "D": 60, "E": 70}
    clients = {}
    for name, dso in dsos.items():
        clients[name] = client_of(olivier, name=name, role=Role.CFO)
        value(clients[name], "dso", dso)
        value(clients[name], "gross_margin_pct", 10 * len(clients))
    client_group_create(consultancy=capfirm, name="Retail", kind="trade", clients=list(clients.values()), by=None)

    [group] = _bench(olivier)
    dso = next(k for k in group.kpis if k.slug == "dso")

    assert (dso.size, dso.q1, dso.median, dso.q3) == (5, Decimal(40), Decimal(50), Decimal(60))
    assert {p.org.name: p.quartile for p in dso.placements} == {"A": 1, "B": 1, "C": 2, "D": 3, "E": 4}
    margin = next(k for k in group.kpis if k.slug == "gross_margin_pct")
    assert {p.org.name: p.quartile for p in margin.placements} == {"A": 4, "B": 3, "C": 2, "D": 1, "E": 1}


def test_growth_compares_the_last_three_months_with_the_same_months_a_year_before(capfirm):
    olivier = consultant_of(capfirm)
    org = client_of(olivier)
    for offset in range(3):
        value(org, "revenue", 110, on=month(-offset))
        value(org, "revenue", 100, on=month(-offset - 12))
    client_group_create(consultancy=capfirm, name="All", kind="size", clients=[org], by=None)

    [group] = _bench(olivier)
    growth = next(k for k in group.kpis if k.slug == GROWTH)

    assert growth.median == Decimal(10)


def test_a_kpi_the_consultants_role_may_not_see_is_left_out_of_the_group(capfirm):
    olivier = consultant_of(capfirm)
    seen = client_of(olivier, role=Role.CFO)
    hidden = client_of(olivier, role=Role.COO)
    value(seen, "gross_margin_pct", 40)
    value(hidden, "gross_margin_pct", 10)
    client_group_create(consultancy=capfirm, name="Mixed", kind="trade", clients=[seen, hidden], by=None)

    [group] = _bench(olivier)
    margin = next(k for k in group.kpis if k.slug == "gross_margin_pct")

    assert margin.size == 1 and margin.hidden_in == 1 and margin.median == Decimal(40)


def test_a_client_the_consultant_does_not_serve_counts_in_no_benchmark(capfirm):
    olivier, other = consultant_of(capfirm), consultant_of(capfirm)
    mine = client_of(olivier, role=Role.CFO)
    theirs = client_of(other, role=Role.CFO)
    value(mine, "dso", 30)
    value(theirs, "dso", 90)
    client_group_create(consultancy=capfirm, name="Firm-wide", kind="other", clients=[mine, theirs], by=None)

    [group] = _bench(olivier)

    assert [c.org for c in group.clients] == [mine]
    assert next(k for k in group.kpis if k.slug == "dso").median == Decimal(30)


def test_a_client_company_sees_no_benchmark(client, acme, acme_ceo):
    client.force_login(acme_ceo.user)
    assert client.get(url("portfolio:benchmarks", org_slug=acme.slug)).status_code == 404
