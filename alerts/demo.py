"""This app's part of the demo story (see accounts/demo.py).

Every company gets the default rules. At Maison Lumen a wholesale customer, Galeries Déco SA, stopped
paying two invoices of the autumn (imported as the company's records, through the integrations service):
the late-payment rule raises an alert in the bell and e-mails it to the CFO (the demo's e-mail backend is
the console or a file), and the late amount jumping out of its history is an anomaly on those constructed
months. Lumen's budget, imported by the budgets step, overran in the November peak: a budget overrun.
Lumen's revenue peaks every November and December and raises no anomaly: the rule knows the seasons.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accounts.demo import DemoContext
from accounts.rls import org_context
from alerts.models import Alert
from alerts.services import alerts_evaluate, default_rules_install
from integrations.base import Record
from integrations.models import Customer, Source
from integrations.services import records_upsert

WHOLESALE = "Galeries Déco SA"
# (number, days before today it was issued, amount incl. VAT): 30 days' terms, never paid.
UNPAID = [("F-GROS-0412", 105, Decimal("18400.00")), ("F-GROS-0437", 74, Decimal("22650.00"))]


def seed(ctx: DemoContext) -> None:
    for org in ctx.companies.values():
        with org_context(org):
            default_rules_install(org)
    lumen = ctx.companies["lumen"]
    with org_context(lumen):
        _late_wholesale_customer(ctx, lumen)
    for org in ctx.companies.values():
        with org_context(org):
            # Syncs and recomputes evaluated already (and e-mailed); this pass catches the time-based kinds.
            alerts_evaluate(org=org, today=ctx.today)
            kinds = sorted(set(Alert.objects.for_org(org).filter(status=Alert.Status.OPEN).values_list("kind", flat=True)))
            count = Alert.objects.for_org(org).filter(status=Alert.Status.OPEN).count()
        ctx.log(f"  {org.name}: {count} open alerts ({', '.join(kinds) or 'none'})")


def _late_wholesale_customer(ctx: DemoContext, org) -> None:
    from kpis.services import kpi_values_recompute

    customer = Customer.objects.for_org(org).filter(name=WHOLESALE).first()
    if customer is None:
        return
    records = []
    for number, days_ago, amount in UNPAID:
        issued = ctx.today - timedelta(days=days_ago)
        records.append(Record(model="invoice", external_id=f"demo-alerts-{number}", fields={
            "kind": "customer", "number": number, "customer_id": customer.pk, "issue_date": issued,
            "due_date": issued + timedelta(days=30), "amount_excl_tax": (amount / Decimal("1.2")).quantize(Decimal("0.01")),
            "amount_incl_tax": amount, "currency_amount_incl_tax": amount, "remaining_amount_incl_tax": amount,
            "status": "late"}))
    records_upsert(org=org, source=Source.DEMO, records=records)
    kpi_values_recompute(org=org, today=ctx.today)  # the demo recomputes at once (no worker is running)
