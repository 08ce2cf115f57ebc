"""Builders for the portfolio tests: clients of a consultancy with materialised KPI values, and a group a
holding's CEO declared herself."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.capabilities import Role
from kpis.models import Kpi, KpiTarget, KpiValue
from kpis.periods import add_months
from portfolio.health import last_closed_month
from tests.factories import make_engagement, make_member, make_org

_seq = itertools.count(1)
UNITS = {"revenue": "eur", "gross_margin_pct": "percent", "net_cash": "eur", "runway_months": "months", "dso": "days",
         "late_invoices_amount": "eur", "cost_per_unit": "eur"}
# what the catalogue hides from whom (kpis/catalogue/kpis.toml)
CAPABILITY = {"gross_margin_pct": "kpis.view_costs", "cost_per_unit": "kpis.view_operational_costs",
              "commercial_margin": "kpis.view_costs", "production": "kpis.view_costs", "value_added": "kpis.view_costs",
              "ebe": "kpis.view_costs", "operating_result": "kpis.view_costs", "current_result": "kpis.view_costs",
              "net_result": "kpis.view_costs"}


def month(offset: int = 0) -> date:
    """The last closed month, or `offset` months from it."""
    return add_months(last_closed_month(timezone.localdate()), offset)


def kpi(org, slug: str) -> Kpi:
    found, _ = Kpi.objects.get_or_create(
        organization=org, slug=slug,
        defaults={"name": slug, "formula": "1", "unit": UNITS.get(slug, "eur"),
                  "visibility_capability": CAPABILITY.get(slug, "kpis.view")})
    return found


def value(org, slug: str, amount, *, on: date | None = None, inputs: dict | None = None) -> KpiValue:
    start = on or month()
    return KpiValue.objects.create(
        organization=org, kpi=kpi(org, slug), grain="month", period_start=start,
        period_end=add_months(start, 1).replace(day=1), value=None if amount is None else Decimal(str(amount)),
        inputs=inputs or {}, computed_at=timezone.now())


def target(org, slug: str, amount, *, on: date | None = None) -> KpiTarget:
    return KpiTarget.objects.create(organization=org, kpi=kpi(org, slug), grain="month", period_start=on or month(),
                                    value=Decimal(str(amount)))


def client_of(firm_member, *, name: str | None = None, role: str = Role.COO):
    """A new client company the firm member serves with `role` (the client approved the engagement)."""
    n = next(_seq)
    org = make_org(name=name or f"Client {n:03d}", slug=f"client-{n}")
    make_engagement(client=org, consultant=firm_member, role=role)
    return org


def consultant_of(firm, *, email: str | None = None):
    return make_member(firm, role=Role.COO, email=email)


def figures(org, *, revenue, cogs, ebe, cash, receivables, sales_incl_vat) -> None:
    """The last closed month's revenue, EBE, cash, gross margin (with its inputs) and DSO inputs."""
    value(org, "revenue", revenue)
    value(org, "ebe", ebe)
    value(org, "net_cash", cash)
    value(org, "gross_margin_pct", (revenue - cogs) / revenue * 100,
          inputs={"kpis": {"revenue": str(revenue)}, "metrics": {"cost_of_goods_sold": str(cogs)}})
    value(org, "dso", 0, inputs={"metrics": {"receivables_411": str(receivables),
                                             "sales_incl_vat": str(sales_incl_vat)}})


def approved_group(claire, oliver, sub, *, name: str = "Groupe H"):
    """Claire declares the group from the holding; Oliver, Sub's CEO, approves Sub's part."""
    from portfolio.models import ConsolidationMember
    from portfolio.services import consolidation_declare_as_holding, consolidation_member_approve

    group = consolidation_declare_as_holding(by=claire, name=name, companies=[sub])
    consolidation_member_approve(member=ConsolidationMember.objects.get(organization=sub, consolidation=group),
                                 by=oliver)
    return group


def holding_with_a_subsidiary():
    """Claire is the CEO of Holding and sits on Sub's board as its CEO too; Sub has its own CEO, Oliver.
    Returns (claire, oliver, holding, sub)."""
    holding, sub = make_org(name="Holding"), make_org(name="Sub")
    claire = make_member(holding, role=Role.CEO, email="claire@holding.test")
    make_member(sub, role=Role.CEO, user=claire.user)
    oliver = make_member(sub, role=Role.CEO, email="oliver@sub.test")
    figures(holding, revenue=1000, cogs=600, ebe=150, cash=300, receivables=240, sales_incl_vat=1200)
    figures(sub, revenue=500, cogs=100, ebe=90, cash=-50, receivables=360, sales_incl_vat=600)
    return claire, oliver, holding, sub


def query_counts_and_contributions(client, paths: list[str]) -> tuple[list[int], list[int]]:
    """For each consolidated page: the queries it made and the number of companies it summed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, contributions = [], []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path)
        assert page.status_code == 200
        counts.append(len(queries))
        contributions.append(len(page.context["view"].contributions))
    return counts, contributions
