"""Feasibility and derived targets split revenue by the catalogue's business drivers (orders × average basket);
a custom ratio someone adds later (annual revenue per head = revenue / headcount) does not silently replace them."""

from datetime import date

from accounts.capabilities import Role
from kpis.models import Kpi
from objectives.derivation import analyse, decompose
from objectives.feasibility import PRODUCT
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective


def test_revenue_keeps_orders_times_basket_when_a_custom_ratio_of_revenue_appears(acme, alice):
    revenue = make_kpi(acme, slug="revenue", formula="coalesce(revenue_ledger, revenue_invoices)")
    make_kpi(acme, slug="orders", formula="orders_shipped", unit="count", owner_role=Role.COO)
    make_kpi(acme, slug="average_basket", formula="revenue / orders", owner_role=Role.CRO)
    make_kpi(acme, slug="headcount", formula="employees", unit="count")
    make_kpi(acme, slug="annual_revenue_per_head", formula="revenue / headcount")  # listed first, added last
    catalogue = {k.slug: k for k in Kpi.objects.for_org(acme)}
    assert decompose(revenue, catalogue) == (PRODUCT, ["orders", "average_basket"])
    for kpi, value in ((revenue, "300000"), (catalogue["orders"], "2000"), (catalogue["average_basket"], "150")):
        make_kpi_value(acme, kpi=kpi, value=value)
    objective = make_objective(acme, owner=alice)
    make_key_result(objective, kpi=revenue, start="0", target="500000")
    moves = analyse(acme, objective=objective, today=date(2027, 1, 5)).feasibility.moves
    assert [m.slug for m in moves] == ["orders", "average_basket"]
