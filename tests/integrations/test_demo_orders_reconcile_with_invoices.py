"""Maison Lumen's orders (demo source) reconcile with its Pennylane invoices: month by month, the orders'
amount excl. VAT is the invoiced amount, give or take the randomness of a month, and over two years the
totals agree."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from accounts.demo import DemoContext
from integrations import demo
from integrations.fakes.scenario import build_book
from integrations.models import Order
from tests.factories import make_org

TODAY = date(2026, 11, 15)


def test_orders_and_invoices_tell_the_same_sales(db):
    org = make_org(name="Maison Lumen")
    demo._lumen_operations(DemoContext(today=TODAY, seed=42, log=lambda _m: None, companies={"lumen": org}))
    orders = {row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["total"]
              for row in Order.objects.for_org(org).annotate(month=TruncMonth("placed_at"))
              .values("month").annotate(total=Sum("amount_excl_tax"))}
    invoiced: dict[date, Decimal] = defaultdict(Decimal)
    for inv in build_book("lumen", seed=42, today=TODAY).objects["customer_invoices"].values():
        if inv.get("status") != "credit_note" and "," not in inv["currency_amount_before_tax"]:
            invoiced[date.fromisoformat(inv["date"]).replace(day=1)] += Decimal(inv["currency_amount_before_tax"])
    complete = [m for m in invoiced if m < TODAY.replace(day=1)]
    assert len(complete) >= 20
    for month in complete:
        assert abs(orders[month] - invoiced[month]) / invoiced[month] < Decimal("0.12"), month
    total_orders, total_invoiced = sum(orders[m] for m in complete), sum(invoiced[m] for m in complete)
    assert abs(total_orders - total_invoiced) / total_invoiced < Decimal("0.03")
