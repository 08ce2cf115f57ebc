"""Constructed data for the alert tests: a fixed day, KPIs with monthly values, invoices, rules."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from accounts.capabilities import Role
from alerts.models import AlertRule
from alerts.rules.registry import rule_class
from integrations.models import Customer, Invoice
from kpis.models import Kpi, KpiValue
from kpis.periods import add_months, month_end

TODAY = date(2026, 11, 15)  # the month just closed is October 2026
NOW = datetime(2026, 11, 15, 9, 0, tzinfo=dt_timezone.utc)
LAST_MONTH = date(2026, 10, 1)

_seq = itertools.count(1)


def make_rule(org, kind: str, *, roles=(Role.CEO, Role.CFO), severity: str | None = None, **parameters) -> AlertRule:
    cls = rule_class(kind)
    return AlertRule.objects.create(organization=org, kind=kind, name=f"{kind} rule",
                                    parameters={**cls.defaults, **parameters},
                                    severity=severity or cls.default_severity, subscriber_roles=list(roles))


def make_kpi(org, slug: str, *, unit: str = Kpi.Unit.EUR, visibility: str = "kpis.view",
             direction: str = Kpi.Direction.HIGHER, name: str = "") -> Kpi:
    return Kpi.objects.create(organization=org, slug=slug, name=name or slug.replace("_", " ").title(),
                              formula="1", unit=unit, visibility_capability=visibility, direction=direction)


def set_month(org, kpi: Kpi, month: date, value) -> None:
    KpiValue.objects.update_or_create(
        organization=org, kpi=kpi, grain="month", period_start=month, dimension_value="",
        defaults={"period_end": month_end(month), "value": Decimal(str(value)), "computed_at": NOW})


def set_months(org, kpi: Kpi, values: list, *, last: date = LAST_MONTH) -> None:
    """Monthly values ending with the month `last` (the oldest first)."""
    for i, value in enumerate(reversed(values)):
        set_month(org, kpi, add_months(last, -i), value)


def make_customer(org, name: str) -> Customer:
    return Customer.objects.create(organization=org, source="demo", external_id=f"c-{next(_seq)}", name=name)


def make_invoice(org, customer: Customer, *, number: str, amount, due: date, paid: date | None = None) -> Invoice:
    amount = Decimal(str(amount))
    return Invoice.objects.create(
        organization=org, source="demo", external_id=f"i-{next(_seq)}", kind=Invoice.Kind.CUSTOMER, number=number,
        customer=customer, issue_date=due - timedelta(days=30), due_date=due, paid_date=paid,
        amount_excl_tax=amount / Decimal("1.2"), amount_incl_tax=amount, currency_amount_incl_tax=amount,
        remaining_amount_incl_tax=Decimal(0) if paid else amount)


def evaluate(org, *, today: date = TODAY, now: datetime = NOW, **kwargs):
    from alerts.services import alerts_evaluate

    return alerts_evaluate(org=org, today=today, now=now, **kwargs)
