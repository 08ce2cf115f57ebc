"""A customer's invoices are still unpaid N days after their due date (one alert per customer)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from alerts.rules.base import Context, Finding, Rule, as_text, shown

MAX_LISTED = 20  # invoices named in one alert; the link shows them all


class LatePaymentRule(Rule):
    kind = "late_payment"
    label = _l("Customer invoice unpaid after its due date")
    defaults = {"days": 30, "critical_days": 60, "min_amount": "0"}
    default_severity = "warning"
    is_time_based = True

    def evaluate(self, ctx: Context) -> list[Finding]:
        from integrations.models import Invoice

        days = int(self.params.get("days", 30))
        cutoff = ctx.today - timedelta(days=days)
        rows = (Invoice.objects.for_org(ctx.org)
                .filter(kind=Invoice.Kind.CUSTOMER, is_deleted=False, is_void=False, is_credit_note=False,
                        paid_date__isnull=True, due_date__lte=cutoff, remaining_amount_incl_tax__gt=0,
                        customer__isnull=False)
                .select_related("customer").order_by("customer_id", "due_date", "number"))
        by_customer = defaultdict(list)
        for invoice in rows:
            by_customer[invoice.customer].append(invoice)
        caps = ctx.kpi_capabilities("late_invoices_amount") if "late_invoices_amount" in ctx.visibility.required \
            else frozenset({"kpis.view"})
        min_amount = Decimal(str(self.params.get("min_amount", "0")))
        critical_days = int(self.params.get("critical_days", 60))
        findings = []
        for customer, invoices in by_customer.items():
            total = sum((i.remaining_amount_incl_tax for i in invoices), Decimal(0))
            if total <= min_amount:
                continue
            oldest = max((ctx.today - i.due_date).days for i in invoices)
            findings.append(Finding(
                subject_key=f"customer:{customer.pk}", figure=total, threshold=Decimal(days),
                severity="critical" if oldest >= critical_days else None,
                params={"customer": customer.name, "count": len(invoices), "amount": as_text(total),
                        "days": days, "oldest_days": oldest,
                        "invoices": [{"number": i.number or i.external_id, "amount": as_text(i.remaining_amount_incl_tax),
                                      "due_date": i.due_date.isoformat(), "days_late": (ctx.today - i.due_date).days}
                                     for i in invoices[:MAX_LISTED]]},
                capabilities=caps,
                link=_with_query(ctx.url("integrations:record_list"), type="invoice")))
        return findings

    def message(self, params) -> str:
        return ngettext(
            "%(customer)s owes %(amount)s on %(count)s invoice unpaid %(oldest_days)s days after its due date.",
            "%(customer)s owes %(amount)s on %(count)s invoices, the oldest unpaid %(oldest_days)s days after "
            "its due date.", params["count"]) % shown(params, "eur", "amount")


def _with_query(path: str, **query) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(query)}" if path else ""
