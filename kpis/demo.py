"""This app's part of the demo story (see accounts/demo.py).

Installs the catalogue in the three client companies, computes every KPI from the records the
integrations step loaded, and sets monthly targets so that statuses mean something:
- Maison Lumen: revenue 8 % above the same month last year (in the first year, 8 % above the median
  ordinary month, 2.5× in November and December), the CFO's
  Q4 target of 500 K€, returns under 6 %, median order processing under 24 h;
- Nuage Analytics: NRR ≥ 105 %, churn ≤ 2 % a month, MRR +3 % a month;
- Atelier Bois Fin: cost per unit 8 % below its average of the last six months, DSO ≤ 45 days.
Targets derived from the data fall back to fixed, plausible amounts when there is no data yet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.demo import DemoContext
from accounts.models import Organization
from kpis.models import Kpi, KpiTarget, KpiValue
from kpis.periods import add_months, period_containing, periods_between
from kpis.services import catalogue_install, kpi_values_recompute

HISTORY_MONTHS = 24
AHEAD_MONTHS = 3


def _months(ctx: DemoContext, org: Organization):
    start = add_months(ctx.today, -(HISTORY_MONTHS - 1))
    return periods_between(start, add_months(ctx.today, AHEAD_MONTHS), "month", org.fiscal_year_start_month)


def _values(org: Organization, slug: str) -> dict[date, Decimal]:
    return {
        start: value
        for start, value in KpiValue.objects.for_org(org)
        .filter(kpi__slug=slug, grain="month", dimension_value="", value__isnull=False)
        .values_list("period_start", "value")
    }


def _set(
    org: Organization, kpis: dict, slug: str, grain: str, start: date, value, threshold="0.10"
) -> KpiTarget:
    return KpiTarget(
        organization=org,
        kpi=kpis[slug],
        grain=grain,
        period_start=start,
        value=Decimal(value).quantize(Decimal("0.01")),
        at_risk_threshold=Decimal(threshold),
    )


def _lumen(ctx: DemoContext, org: Organization, kpis: dict) -> list[KpiTarget]:
    revenue = _values(org, "revenue")
    normal = sorted(v for start, v in revenue.items() if start.month not in (11, 12) and start < ctx.today)
    typical = normal[len(normal) // 2] if normal else Decimal(70_000)  # the median ordinary month
    targets = []
    for p in _months(ctx, org):
        last_year = revenue.get(add_months(p.start, -12))
        seasonal = typical * (Decimal("2.5") if p.start.month in (11, 12) else Decimal(1))
        targets.append(
            _set(org, kpis, "revenue", "month", p.start, (last_year or seasonal) * Decimal("1.08"))
        )
        targets.append(_set(org, kpis, "return_rate", "month", p.start, 6))
        targets.append(_set(org, kpis, "order_processing_median", "month", p.start, 24, "0.25"))
    q4 = period_containing(date(ctx.today.year, 10, 1), "quarter", org.fiscal_year_start_month)
    targets.append(_set(org, kpis, "revenue", "quarter", q4.start, 500_000, "0.05"))
    return targets


def _nuage(ctx: DemoContext, org: Organization, kpis: dict) -> list[KpiTarget]:
    mrr = _values(org, "mrr")
    targets = []
    for p in _months(ctx, org):
        previous = mrr.get(add_months(p.start, -1))
        targets.append(_set(org, kpis, "nrr", "month", p.start, 105, "0.03"))
        targets.append(_set(org, kpis, "churn_rate", "month", p.start, 2, "0.25"))
        if previous:
            targets.append(_set(org, kpis, "mrr", "month", p.start, previous * Decimal("1.03"), "0.02"))
    return targets


def _boisfin(ctx: DemoContext, org: Organization, kpis: dict) -> list[KpiTarget]:
    cost = _values(org, "cost_per_unit")
    recent = [
        cost[p.start] for p in _months(ctx, org)[-(AHEAD_MONTHS + 7) : -(AHEAD_MONTHS + 1)] if p.start in cost
    ]
    baseline = sum(recent, Decimal(0)) / len(recent) if recent else Decimal(480)
    targets = []
    for p in _months(ctx, org):
        targets.append(_set(org, kpis, "cost_per_unit", "month", p.start, baseline * Decimal("0.92"), "0.05"))
        targets.append(_set(org, kpis, "dso", "month", p.start, 45))
    return targets


def _lumen_uk(ctx: DemoContext, org, kpis) -> list[KpiTarget]:
    return []  # Lumen Home Ltd: its figures come from QuickBooks through the PCG mapping, no targets yet


def _verrelin(ctx: DemoContext, org, kpis) -> list[KpiTarget]:
    return []  # Verre & Lin: its figures come from Sage (a PCG chart already), no targets yet


def _bois_fin_uk(ctx: DemoContext, org, kpis) -> list[KpiTarget]:
    return []  # Bois Fin UK Ltd: its figures come from Xero through the PCG mapping, no targets yet


STORIES = {"lumen": _lumen, "nuage": _nuage, "boisfin": _boisfin, "lumenuk": _lumen_uk, "verrelin": _verrelin,
           "boisfinuk": _bois_fin_uk}


def seed(ctx: DemoContext) -> None:
    for key, story in STORIES.items():
        org = ctx.companies[key]
        catalogue_install(org)
        report = kpi_values_recompute(org=org, today=ctx.today)
        kpis = {k.slug: k for k in Kpi.objects.for_org(org)}
        targets = story(ctx, org, kpis)
        KpiTarget.objects.bulk_create(targets)
        # Targets feed target() in formulas (pipeline coverage): one more pass makes them count.
        kpi_values_recompute(org=org, today=ctx.today)
        with_value = (
            KpiValue.objects.for_org(org)
            .filter(grain="month", value__isnull=False)
            .values("kpi")
            .distinct()
            .count()
        )
        ctx.log(
            f"  {org.name}: {report.written} KPI values ({with_value} of "
            f"{sum(k.is_active for k in kpis.values())} KPIs of its packs with data), "
            f"{len(targets)} targets"
        )
