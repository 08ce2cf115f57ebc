"""This app's part of the demo story (see accounts/demo.py).

Each demo company is connected to the in-process fake Pennylane and synced once through the
real connector code (Lumen and Nuage with their own company tokens; Atelier Bois Fin through
Cap & Route Conseil's firm token, mapped to it). Maison Lumen's orders, returns, marketing spend
and order capacity will come from uploads in a later issue; until then they are written here
with source="demo", from the same seed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.fakes.pennylane import default_fake
from integrations.fakes.scenario import COMPANIES, FIRM_TOKEN, month_starts
from integrations.models import (Connection, LedgerLine, MarketingSpend, OperationalValue, Order, Return, Source,
                                 SyncRun)
from integrations.services import connection_connect, connection_sync, firm_company_map

CAPACITY_SERIES = "order_capacity_per_week"


def seed(ctx: DemoContext) -> None:
    fake = default_fake()
    budget = fake.rate_limit
    fake.rate_limit = (100_000, 1.0)  # the demo's first syncs are not the place to watch a rate limit
    fake.firm_rate_limit = (100_000, 1.0)
    try:
        with override_settings(PENNYLANE_RATE_LIMIT=(100_000, 1), PENNYLANE_FIRM_RATE_LIMIT=(100_000, 1),
                               PENNYLANE_API_BASE_URL=_fake_url(settings.PENNYLANE_API_BASE_URL),
                               PENNYLANE_FIRM_API_BASE_URL=_fake_url(settings.PENNYLANE_FIRM_API_BASE_URL)):
            _connect_and_sync(ctx)
    finally:
        fake.rate_limit = budget
        fake.firm_rate_limit = (4, 1.0)
    _lumen_operations(ctx)
    _boisfin_production(ctx)
    if find_spec("integrations.demo_hubspot") is not None:
        import_module("integrations.demo_hubspot").seed(ctx)


def _fake_url(configured: str) -> str:
    # The demo always talks to the in-process fake, even where real provider URLs are configured.
    return configured if "pennylane.fake" in configured else configured.replace(
        configured.split("/api/")[0], "http://pennylane.fake")


def _connect_and_sync(ctx: DemoContext) -> None:
    for key in ("lumen", "nuage"):
        org = ctx.companies[key]
        company_id, name, _builder, token = COMPANIES[key]
        connection = connection_connect(org=org, provider="pennylane", credentials={"token": token},
                                        by=ctx.member(key, Role.ADMIN), label=f"Pennylane — {name}")
        run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
        ctx.log(f"  Pennylane → {org.name}: {run.get_state_display()}, {run.total('created')} records, "
                f"{run.total('rejected')} rejected")
    firm = connection_connect(org=ctx.consultancy, provider="pennylane_firm", credentials={"token": FIRM_TOKEN},
                              by=ctx.consultant, label="Pennylane — cabinet Cap & Route")
    boisfin = ctx.companies["boisfin"]
    child = firm_company_map(firm=firm, company_id=str(COMPANIES["boisfin"][0]), client=boisfin, by=ctx.consultant)
    run = connection_sync(connection=child, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  Pennylane (firm) → {boisfin.name}: {run.get_state_display()}, {run.total('created')} records")
    # Keep the connections' clocks honest: the beat will sync them again after their interval.
    Connection.objects.filter(pk__in=[firm.pk, child.pk]).update(sync_interval=60)  # scoped: the demo's own rows


PRODUCTION_COST_ACCOUNTS = ("60", "61", "62", "64")
NOT_PRODUCTION = ("607", "6037", "6097")


def _boisfin_production(ctx: DemoContext) -> None:
    """Atelier Bois Fin's units produced per month (a series that will come from uploads), drawn so the
    cost per unit eases from about 210 € to about 196 € over the two years: the −8 % target is within
    reach but not yet met."""
    org = ctx.companies["boisfin"]
    monthly_cost: dict = {}
    lines = LedgerLine.objects.for_org(org).filter(is_deleted=False).values_list("date", "account_number", "debit",
                                                                                 "credit")
    for day, account, debit, credit in lines:
        if account.startswith(PRODUCTION_COST_ACCOUNTS) and not account.startswith(NOT_PRODUCTION):
            month = day.replace(day=1)
            monthly_cost[month] = monthly_cost.get(month, Decimal(0)) + debit - credit
    months = sorted(m for m, cost in monthly_cost.items() if cost > 0)
    rng = random.Random(f"{ctx.seed}:boisfin-production")
    points = []
    for i, month in enumerate(months):
        unit_cost = Decimal(210) - Decimal(14) * i / max(1, len(months) - 1)
        unit_cost *= Decimal(str(rng.uniform(0.97, 1.03)))
        points.append(OperationalValue(
            organization=org, source=Source.DEMO, external_id=f"units-produced-{month:%Y-%m}",
            series="units_produced", date=month, value=(monthly_cost[month] / unit_cost).quantize(Decimal(1)),
        ))
    OperationalValue.objects.bulk_create(points)
    ctx.log(f"  Atelier Bois Fin production (demo source): {len(points)} months of units produced")


def _lumen_operations(ctx: DemoContext) -> None:
    """Orders (with processing times), returns (≈6 %), marketing spend by channel and weekly order capacity."""
    org = ctx.companies["lumen"]
    rng = random.Random(f"{ctx.seed}:lumen-operations")
    tz = timezone.get_current_timezone()
    today = ctx.today
    orders, returns = [], []
    months = month_starts(today)
    for i, month in enumerate(months):
        peak = month.month in (11, 12)
        monthly_sales = Decimal(62000) * (Decimal("2.5") if peak else 1) * (1 + Decimal("0.012") * i)
        basket = Decimal(86)
        count = int(monthly_sales / basket)
        days = (months[i + 1] - month).days if i + 1 < len(months) else (today - month).days + 1
        per_day = count / max(1, (months[i + 1] - month).days if i + 1 < len(months) else 30)
        for day in range(days):
            d = month + timedelta(days=day)
            for n in range(int(per_day) + (1 if rng.random() < per_day % 1 else 0)):
                placed = datetime.combine(d, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=tz)
                # At the peak the warehouse saturates: processing takes about twice as long.
                hours = rng.lognormvariate(3.0 if not peak else 3.6, 0.45)
                shipped = placed + timedelta(hours=hours)
                number = f"LUM-{d:%y%m%d}-{n:04d}"
                units = rng.choice([1, 1, 1, 2, 2, 3])
                # Baskets average the invoiced basket, so the orders reconcile with the invoices month by month.
                amount = (basket * Decimal(str(rng.uniform(0.5, 1.5)))).quantize(Decimal("0.01"))
                delivered = (shipped + timedelta(days=rng.choice([1, 2, 2, 3, 4]))).date()
                orders.append(Order(
                    organization=org, source=Source.DEMO, external_id=number, number=number, channel=rng.choice(
                        ["site", "site", "site", "marketplace"]), placed_at=placed,
                    shipped_at=shipped if shipped <= timezone.now() else None,
                    promised_on=(placed + timedelta(days=3)).date(),
                    delivered_on=delivered if delivered <= today else None, units=units, amount_excl_tax=amount,
                    fulfilment_cost=(Decimal("6.90") + Decimal("1.15") * units).quantize(Decimal("0.01"))))
    Order.objects.bulk_create(orders, batch_size=2000)
    stored = {o.external_id: o for o in Order.objects.for_org(org).filter(source=Source.DEMO).only(
        "id", "external_id", "placed_at", "units", "amount_excl_tax")}
    for number, order in stored.items():
        if rng.random() < 0.06:
            returned_on = (order.placed_at + timedelta(days=rng.randint(6, 25))).date()
            if returned_on <= today:
                returns.append(Return(organization=org, source=Source.DEMO, external_id=f"RET-{number}", order=order,
                                      returned_on=returned_on, units=1,
                                      amount=(order.amount_excl_tax / order.units).quantize(Decimal("0.01"))))
    Return.objects.bulk_create(returns, batch_size=2000)
    spend = []
    for i, month in enumerate(months):
        peak = month.month in (11, 12)
        base = Decimal(62000) * (Decimal("2.5") if peak else 1) * (1 + Decimal("0.012") * i) * Decimal("0.09")
        for channel, share in (("meta_ads", Decimal("0.5")), ("google_ads", Decimal("0.35")),
                               ("influencers", Decimal("0.15"))):
            spend.append(MarketingSpend(organization=org, source=Source.DEMO, external_id=f"MKT-{month:%Y%m}-{channel}",
                                        date=month, channel=channel, amount=(base * share).quantize(Decimal("0.01"))))
    MarketingSpend.objects.bulk_create(spend)
    capacity = []
    week = months[0] - timedelta(days=months[0].weekday())
    while week <= today:
        # The warehouse processes about 450 orders a week; the peak asks for more than that.
        value = Decimal(450) if week < today - timedelta(days=120) else Decimal(480)
        capacity.append(OperationalValue(organization=org, source=Source.DEMO, external_id=f"CAP-{week:%G-W%V}",
                                         series=CAPACITY_SERIES, date=week, value=value))
        week += timedelta(days=7)
    OperationalValue.objects.bulk_create(capacity)
    ctx.log(f"  Maison Lumen operations (demo source): {len(orders)} orders, {len(returns)} returns, "
            f"{len(spend)} spend lines, {len(capacity)} capacity weeks")
