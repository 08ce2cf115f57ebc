"""Hand-built canonical records for the engine's tests (plain helpers, keyword-only, sensible defaults)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from integrations import models as c

_seq = itertools.count(1)


def _ext() -> str:
    return f"t{next(_seq)}"


def D(x) -> Decimal:
    return Decimal(str(x))


def ledger(org, account: str, day: date, *, debit=0, credit=0, **kw) -> c.LedgerLine:
    return c.LedgerLine.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        account_number=account,
        date=day,
        debit=D(debit),
        credit=D(credit),
        **kw,
    )


def invoice(
    org,
    day: date,
    *,
    excl,
    incl=None,
    kind="customer",
    due=None,
    paid=None,
    customer=None,
    credit_note=False,
    **kw,
) -> c.Invoice:
    excl = D(excl)
    incl = D(incl) if incl is not None else excl * D("1.2")
    return c.Invoice.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        kind=kind,
        issue_date=day,
        due_date=due,
        paid_date=paid,
        amount_excl_tax=excl,
        amount_incl_tax=incl,
        currency_amount_incl_tax=incl,
        customer=customer,
        is_credit_note=credit_note,
        **kw,
    )


def customer(org, *, segment="", acquired=None, churned=None, name="Customer") -> c.Customer:
    return c.Customer.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        name=name,
        segment=segment,
        acquired_on=acquired,
        churned_on=churned,
    )


def bank(org, day: date, amount) -> c.BankTransaction:
    return c.BankTransaction.objects.create(
        organization=org, source="demo", external_id=_ext(), date=day, amount=D(amount)
    )


def subscription(org, who, *, mrr, start: date, end: date | None = None) -> c.Subscription:
    return c.Subscription.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        customer=who,
        mrr=D(mrr),
        started_on=start,
        ended_on=end,
    )


def deal(
    org,
    *,
    amount,
    created: date,
    closed: date | None = None,
    won=False,
    lost=False,
    qualified=False,
    channel="",
) -> c.Deal:
    return c.Deal.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        name="Deal",
        amount=D(amount),
        created_on=created,
        close_date=closed,
        is_closed=won or lost,
        is_won=won,
        is_qualified=qualified,
        source_channel=channel,
    )


def lead(org, *, created: date, converted: date | None = None, channel="") -> c.Lead:
    return c.Lead.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        created_on=created,
        converted_on=converted,
        source_channel=channel,
    )


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def order(
    org,
    *,
    placed: datetime,
    shipped: datetime | None = None,
    promised=None,
    delivered=None,
    units=1,
    amount=0,
    fulfilment=0,
) -> c.Order:
    return c.Order.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        placed_at=placed,
        shipped_at=shipped,
        promised_on=promised,
        delivered_on=delivered,
        units=units,
        amount_excl_tax=D(amount),
        fulfilment_cost=D(fulfilment),
    )


def a_return(org, *, day: date, units=1, amount=0, order=None) -> c.Return:
    return c.Return.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        returned_on=day,
        units=units,
        amount=D(amount),
        order=order,
    )


def spend(org, *, day: date, channel: str, amount) -> c.MarketingSpend:
    return c.MarketingSpend.objects.create(
        organization=org, source="demo", external_id=_ext(), date=day, channel=channel, amount=D(amount)
    )


def series(org, name: str, day: date, value, dimension: str = "") -> c.OperationalValue:
    return c.OperationalValue.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        series=name,
        date=day,
        value=D(value),
        dimension=dimension,
    )


def payment(org, inv: c.Invoice, day: date, amount, *, kind="bank") -> c.Payment:
    """Money that settled (part of) `inv` on `day` (a credit note applied to it: kind="credit_note")."""
    return c.Payment.objects.create(
        organization=org, source="demo", external_id=_ext(), invoice=inv, kind=kind, date=day, amount=D(amount)
    )


def production(org, month: date, line: str, *, units, cost=None) -> c.ProductionOutput:
    """What `line` made in the month of `month` (its first day is stored), and what it cost when known."""
    return c.ProductionOutput.objects.create(
        organization=org,
        source="demo",
        external_id=_ext(),
        period=month.replace(day=1),
        line=line,
        units=D(units),
        cost=None if cost is None else D(cost),
    )
