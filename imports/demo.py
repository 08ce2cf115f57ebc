"""This app's part of the demo story (see accounts/demo.py): the figures no provider sends come in as files.

Maison Lumen's COO imports the orders export of the shop (a French Excel CSV: Windows-1252,
semicolons, day-first dates, decimal commas), the returns (a first file with three bad rows is left
as it was refused, with its report, then the corrected file), the weekly warehouse capacity (an
.xlsx) and the marketing spend by channel; Atelier Bois Fin's COO imports the units produced each
month (an .xlsx), then the production by line (units and cost of its tables, chairs and storage lines, a
French CSV). Every file goes through the real pipeline: validated whole, then confirmed.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.api_keys import ApiKeyPrincipal, api_key_create
from accounts.capabilities import Role
from accounts.demo import DemoContext
from imports import services
from imports.models import ImportRun
from imports.push import records_push
from integrations.fakes.scenario import month_starts
from integrations.models import LedgerLine

CAPACITY_SERIES = "order_capacity_per_week"
PRODUCTION_COST_ACCOUNTS = ("60", "61", "62", "64")
NOT_PRODUCTION = ("607", "6037", "6097")


def seed(ctx: DemoContext) -> None:
    lumen_coo = ctx.member("lumen", Role.COO)
    orders = _lumen_orders(ctx)
    _import(ctx, lumen_coo, "orders", "export-boutique-commandes.csv", _french_csv(
        ["Numéro de commande", "Date de commande", "Expédiée le", "Livraison promise", "Livrée le", "Quantité",
         "Montant HT", "Coût logistique", "Canal", "Préparée le"], orders))
    returns = _lumen_returns(ctx, orders)
    bad = [list(r) for r in returns[:40]]
    bad[7][0], bad[19][1], bad[31][3] = "LUM-000000-9999", "31/02/" + bad[19][1][-4:], "quarante"
    _import(ctx, lumen_coo, "returns", "retours-a-corriger.csv",
            _french_csv(["Commande", "Retourné le", "Quantité", "Valeur", "Motif"], bad), confirm=False)
    _import(ctx, lumen_coo, "returns", "retours.csv",
            _french_csv(["Commande", "Retourné le", "Quantité", "Valeur", "Motif"], returns))
    _import(ctx, lumen_coo, "operational_series", "capacite-entrepot.xlsx",
            _xlsx(["Série", "Semaine", "Valeur"], _lumen_capacity(ctx)))
    _import(ctx, lumen_coo, "marketing_spend", "depenses-marketing.csv",
            _french_csv(["Mois", "Canal", "Montant HT"], _lumen_spend(ctx)))
    _boisfin_imports_its_production(ctx)
    _nuage_pushes_its_spend(ctx)
    _nuage_pushes_its_feedback(ctx)


def _nuage_pushes_its_feedback(ctx: DemoContext) -> None:
    """Nuage's survey tool pushes every answer with its own API key: NPS by e-mail each quarter's customers, CSAT
    after each support ticket. The NPS climbs from about +10 to +35 over the two years."""
    admin = ctx.member("nuage", Role.ADMIN)
    key, _secret = api_key_create(org=admin.organization, by=admin, name="Enquêtes clients", role=Role.VIEWER,
                                  can_write=True)
    rng = random.Random(f"{ctx.seed}:nuage-feedback")
    months = month_starts(ctx.today)
    written = 0
    for i, month in enumerate(months):
        promoters = 0.38 + 0.12 * i / max(1, len(months) - 1)
        items = []
        last_day = (ctx.today - month).days if i == len(months) - 1 else 27
        for n in range(40):
            draw = rng.random()
            score = rng.choice([9, 10]) if draw < promoters else rng.choice([7, 8]) if draw < promoters + 0.34 \
                else rng.randint(2, 6)
            items.append({"response": f"NPS-{month:%y%m}-{n:03d}", "scale": "nps", "score": score, "channel": "email",
                          "date": (month + timedelta(days=rng.randint(0, max(0, last_day)))).isoformat()})
        for n in range(60):
            score = rng.choices([5, 4, 3, 2, 1], weights=[45, 32, 12, 7, 4])[0]
            items.append({"response": f"CSAT-{month:%y%m}-{n:03d}", "scale": "csat", "score": score,
                          "channel": "support", "comment": "Réponse rapide" if score == 5 and n % 7 == 0 else "",
                          "date": (month + timedelta(days=rng.randint(0, max(0, last_day)))).isoformat()})
        with transaction.atomic():
            written += records_push(org=admin.organization, kind="feedback", items=items,
                                    by=ApiKeyPrincipal(key)).counts.get("created", 0)
    ctx.log(f"  Nuage Analytics pushed {written} customer feedback answers (NPS, CSAT) with the key “{key.name}”")


def _nuage_pushes_its_spend(ctx: DemoContext) -> None:
    """Nuage's marketing tool pushes its monthly spend with an API key (bench/push_records.py does it over HTTP)."""
    admin = ctx.member("nuage", Role.ADMIN)
    key, secret = api_key_create(org=admin.organization, by=admin, name="Outil marketing", role=Role.VIEWER,
                                 can_write=True)
    items = []
    for i, month in enumerate(month_starts(ctx.today)):
        for channel, amount in (("linkedin_ads", 2400), ("google_ads", 1700), ("events", 900)):
            items.append({"date": month.isoformat(), "channel": channel, "amount": f"{amount * (1 + 0.02 * i):.2f}"})
    with transaction.atomic():
        result = records_push(org=admin.organization, kind="marketing_spend", items=items, by=ApiKeyPrincipal(key))
    ctx.log(f"  Nuage Analytics pushed {len(items)} marketing spend records with an API key: {result.counts}; "
            f"key for bench/push_records.py: {secret}")


def _import(ctx: DemoContext, member, kind: str, name: str, content: bytes, *, confirm: bool = True) -> ImportRun:
    run = services.import_run_create(org=member.organization, by=member, kind=kind, file_name=name, content=content)
    run.refresh_from_db()
    if run.state == ImportRun.State.VALIDATING:  # with a broker the worker would do it; the demo waits for nobody
        run = services.import_run_validate(run=run)
    if confirm and run.state == ImportRun.State.READY:
        run = services.import_run_confirm(run=run, by=member)
        if run.state == ImportRun.State.IMPORTING:
            run = services.import_run_execute(run=run)
    ctx.log(f"  {member.organization.name} import {name}: {run.get_state_display()}, {run.rows_total} rows, "
            f"{run.rows_rejected} rejected")
    return run


def _french_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252")


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fr_number(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _lumen_orders(ctx: DemoContext) -> list[list[str]]:
    """Orders with processing times; at the Christmas peak the warehouse saturates."""
    rng = random.Random(f"{ctx.seed}:lumen-operations")
    tz = timezone.get_current_timezone()
    today, now = ctx.today, timezone.now()
    months = month_starts(today)
    rows = []
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
                hours = rng.lognormvariate(3.0 if not peak else 3.6, 0.45)
                shipped = (placed + timedelta(hours=hours)).replace(second=0, microsecond=0)
                # picked and packed after about two thirds of the time to ship (the carrier comes twice a day)
                processed = (placed + timedelta(hours=hours * rng.uniform(0.55, 0.8))).replace(second=0, microsecond=0)
                units = rng.choice([1, 1, 1, 2, 2, 3])
                # Baskets average the invoiced basket, so the orders reconcile with the invoices month by month.
                amount = (basket * Decimal(str(rng.uniform(0.5, 1.5)))).quantize(Decimal("0.01"))
                delivered = (shipped + timedelta(days=rng.choice([1, 2, 2, 3, 4]))).date()
                channel = rng.choice(["site", "site", "site", "marketplace"])
                rows.append([
                    f"LUM-{d:%y%m%d}-{n:04d}", f"{placed:%d/%m/%Y %H:%M}",
                    f"{shipped.astimezone(tz):%d/%m/%Y %H:%M}" if shipped <= now else "",
                    f"{(placed + timedelta(days=3)).date():%d/%m/%Y}",
                    f"{delivered:%d/%m/%Y}" if delivered <= today and shipped <= now else "",
                    str(units), _fr_number(amount), _fr_number(Decimal("6.90") + Decimal("1.15") * units), channel,
                    f"{processed.astimezone(tz):%d/%m/%Y %H:%M}" if processed <= now else "",
                ])
    return rows


def _lumen_returns(ctx: DemoContext, orders: list[list[str]]) -> list[list[str]]:
    """About 6 % of orders come back, one unit each, a week to three weeks later."""
    rng = random.Random(f"{ctx.seed}:lumen-returns")
    rows = []
    for number, placed, _shipped, _promised, _delivered, units, amount, _cost, _channel, *_rest in orders:
        if rng.random() < 0.06:
            returned_on = datetime.strptime(placed, "%d/%m/%Y %H:%M").date() + timedelta(days=rng.randint(6, 25))
            if returned_on <= ctx.today:
                value = Decimal(amount.replace(",", ".")) / int(units)
                reason = rng.choice(["Taille", "Taille", "Abîmé", "Ne correspond pas", "Changé d'avis"])
                rows.append([number, f"{returned_on:%d/%m/%Y}", "1", _fr_number(value), reason])
    return rows


def _lumen_capacity(ctx: DemoContext) -> list[list]:
    """The warehouse processes about 450 orders a week, 480 since it hired in the autumn; the peak asks for more."""
    months = month_starts(ctx.today)
    week = months[0] - timedelta(days=months[0].weekday())
    rows = []
    while week <= ctx.today:
        rows.append([CAPACITY_SERIES, week, 450 if week < ctx.today - timedelta(days=120) else 480])
        week += timedelta(days=7)
    return rows


def _lumen_spend(ctx: DemoContext) -> list[list[str]]:
    rows = []
    for i, month in enumerate(month_starts(ctx.today)):
        peak = month.month in (11, 12)
        base = Decimal(62000) * (Decimal("2.5") if peak else 1) * (1 + Decimal("0.012") * i) * Decimal("0.09")
        for channel, share in (("meta_ads", Decimal("0.5")), ("google_ads", Decimal("0.35")),
                               ("influencers", Decimal("0.15"))):
            rows.append([f"{month:%d/%m/%Y}", channel, _fr_number((base * share).quantize(Decimal("0.01")))])
    return rows


def _boisfin_imports_its_production(ctx: DemoContext) -> None:
    """Bois Fin's COO imports the units produced each month (a series, .xlsx), then the production by line: each
    month's units and the ledger's production cost split between its three product lines (a French CSV). The
    lines add up to the series and the ledger, so cost per unit reads the same figure, now by line as well."""
    coo = ctx.member("boisfin", Role.COO)
    months = _boisfin_production(ctx)
    _import(ctx, coo, "operational_series", "production-mensuelle.xlsx",
            _xlsx(["Série", "Mois", "Valeur"], [["units_produced", month, units] for month, units, _cost in months]))
    _import(ctx, coo, "production", "production-par-ligne.csv",
            _french_csv(["Mois", "Ligne de production", "Unités produites", "Coût de production"],
                        _boisfin_lines(ctx, months)))


# Bois Fin's product lines: (line, share of the units, share of the cost). Tables take the most work per unit.
BOISFIN_LINES = (("Tables", Decimal("0.20"), Decimal("0.42")), ("Chaises", Decimal("0.55"), Decimal("0.33")),
                 ("Rangements", Decimal("0.25"), Decimal("0.25")))


def _boisfin_lines(ctx: DemoContext, months: list[tuple]) -> list[list[str]]:
    """Each month's units and cost split between the lines, the last line taking what rounding leaves, so the
    lines add up exactly to the month; the shares wobble a little from month to month."""
    rng = random.Random(f"{ctx.seed}:boisfin-lines")
    rows = []
    for month, units, cost in months:
        units_left, cost_left = units, cost
        for i, (line, unit_share, cost_share) in enumerate(BOISFIN_LINES):
            if i == len(BOISFIN_LINES) - 1:
                line_units, line_cost = units_left, cost_left
            else:
                wobble = Decimal(str(round(rng.uniform(0.95, 1.05), 3)))
                line_units = int((units * unit_share * wobble).quantize(Decimal(1)))
                line_cost = (cost * cost_share * wobble).quantize(Decimal("0.01"))
            units_left, cost_left = units_left - line_units, cost_left - line_cost
            rows.append([f"{month:%m/%Y}", line, str(line_units), _fr_number(line_cost)])
    return rows


def _boisfin_production(ctx: DemoContext) -> list[tuple]:
    """(month, units produced, production cost on the ledger) per month, the units drawn so the cost per unit
    eases from about 210 € to about 196 € over the two years: the −8 % target is within reach but not yet met."""
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
    rows = []
    for i, month in enumerate(months):
        unit_cost = Decimal(210) - Decimal(14) * i / max(1, len(months) - 1)
        unit_cost *= Decimal(str(rng.uniform(0.97, 1.03)))
        rows.append((month, int((monthly_cost[month] / unit_cost).quantize(Decimal(1))),
                     monthly_cost[month].quantize(Decimal("0.01"))))
    return rows
