"""Reading back pushed records (`GET records/<type>/`) shows no cost to a reader who may not see it.

Listing what was pushed is the data-in tool's own view: it needs `imports.manage` (the roles that import,
and keys that may push). Within it, what `kpis.view_costs` or `kpis.view_operational_costs` guard in the
catalogue (an order's fulfilment cost, the budget and production series) is left out for a reader
without that capability, as the KPI pages leave out the figures built on it.
"""

from decimal import Decimal

import pytest

from accounts.api_keys import api_key_create
from accounts.capabilities import Role
from imports.registry import all_kinds
from kpis.catalogue import load_catalogue
from tests.factories import make_member

PATH = "/api/v1/orgs/acme/records/{kind}/"
ORDER = {"number": "A-1", "placed_at": "2026-03-01T10:00:00", "shipped_at": "2026-03-02T10:00:00",
         "amount_excl_tax": "100", "fulfilment_cost": "7.20"}
SERIES = [{"series": "order_capacity_per_week", "date": "2026-03-02", "value": "400"},
          {"series": "units_produced", "date": "2026-03-02", "value": "120"},
          {"series": "budget_charges", "date": "2026-03-01", "value": "9000", "dimension": "60"}]


@pytest.fixture
def key_of(acme_ceo):
    def make(role, *, can_write):
        _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name=f"{role}-{can_write}",
                                      role=role, can_write=can_write)
        return {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    return make


@pytest.fixture
def pushed(client, key_of):
    writer = key_of(Role.CEO, can_write=True)
    for kind, body in (("orders", [ORDER]), ("operational_series", SERIES)):
        response = client.post(PATH.format(kind=kind), body, content_type="application/json", **writer)
        assert response.status_code == 200, response.content


def test_a_viewer_key_cannot_list_pushed_orders(client, pushed, key_of):
    response = client.get(PATH.format(kind="orders"), **key_of(Role.VIEWER, can_write=False))
    assert response.status_code == 403


def test_a_viewer_cannot_list_pushed_orders(client, pushed, acme):
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    assert client.get(PATH.format(kind="orders")).status_code == 403


def test_a_viewer_push_key_reads_its_orders_back_without_their_fulfilment_cost(client, pushed, key_of):
    response = client.get(PATH.format(kind="orders"), **key_of(Role.VIEWER, can_write=True))
    assert response.status_code == 200
    [order] = response.json()["results"]
    assert order["number"] == "A-1" and "fulfilment_cost" not in order


def test_a_cro_lists_orders_without_fulfilment_cost_and_series_without_costs(client, pushed, acme):
    client.force_login(make_member(acme, role=Role.CRO).user)
    [order] = client.get(PATH.format(kind="orders")).json()["results"]
    assert "fulfilment_cost" not in order and Decimal(str(order["amount_excl_tax"])) == 100
    series = client.get(PATH.format(kind="operational_series")).json()["results"]
    assert [s["series"] for s in series] == ["order_capacity_per_week"]


def test_the_coo_reads_operational_costs_but_not_the_budget(client, pushed, bob):
    client.force_login(bob.user)
    [order] = client.get(PATH.format(kind="orders")).json()["results"]
    assert Decimal(str(order["fulfilment_cost"])) == Decimal("7.20")
    series = client.get(PATH.format(kind="operational_series")).json()["results"]
    assert sorted(s["series"] for s in series) == ["order_capacity_per_week", "units_produced"]


def test_the_cfo_reads_everything_pushed(client, pushed, alice):
    client.force_login(alice.user)
    series = client.get(PATH.format(kind="operational_series")).json()
    assert series["count"] == 3


def test_every_cost_the_catalogue_guards_is_guarded_in_the_pushed_lists():
    """A built-in metric seen only by some roles reads a column, or a series, that its kind guards alike."""
    kinds = {k.model: k for k in all_kinds()}
    for metric in load_catalogue().metrics:
        kind = kinds.get(metric["record_type"])
        if kind is None or not kind.pushable or metric["visibility_capability"] == "kpis.view":
            continue  # a kind the push API does not serve (budgets: budgets.manage only) is in no pushed list
        guarded = {c.capability for c in kind.columns if c.name in (metric["value"] or "")}
        series = (metric["filters"] or {}).get("where", {}).get("series")
        guarded |= {kind.guarded_series.get(series, "")} if series else set()
        assert metric["visibility_capability"] in guarded, metric["slug"]
