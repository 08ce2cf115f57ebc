"""A group of companies owned together, consolidated: sums of the SIG lines, cash and revenue, ratios
recomputed from the consolidated numerators and denominators, each company's contribution, and the flows
between companies of the group left out.

Read from materialised monthly values over the last 12 closed months, for the members that approved the
consolidation and that the viewer serves (a member the viewer does not reach is named, never summed).
Intercompany elimination: sales to a customer marked intercompany leave revenue; on the margin lines (commercial
margin down to net result) those sales leave and the purchases from suppliers marked intercompany come
back, so a flow marked on both sides nets to nothing, as it should once the group is one company.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Organization
from integrations.models import Invoice
from kpis.models import KpiValue
from kpis.periods import add_months
from portfolio.clients import ServedClient
from portfolio.health import last_closed_month
from portfolio.models import Consolidation, ConsolidationMember, IntercompanyParty

SIG_LINES = ("revenue", "commercial_margin", "production", "value_added", "ebe", "operating_result",
             "current_result", "net_result")
MARGIN_LINES = frozenset(SIG_LINES[1:]) - {"production"}
COST_DETAIL = frozenset(SIG_LINES[1:]) | {"gross_margin_pct"}  # what kpis.view_costs guards in the catalogue
MONTHS = 12
ZERO = Decimal(0)


@dataclass
class Contribution:
    org: Organization
    lines: dict[str, Decimal | None] = field(default_factory=dict)
    net_cash: Decimal | None = None
    intercompany_sales: Decimal = ZERO
    intercompany_purchases: Decimal = ZERO
    intercompany_receivables: Decimal = ZERO  # open at the last month's end, incl. VAT
    intercompany_sales_incl_vat: Decimal = ZERO  # of the last month
    margin_numerator: Decimal | None = None  # revenue − cost of goods sold over the months
    receivables: Decimal | None = None  # at the last month's end, incl. VAT
    sales_incl_vat: Decimal | None = None  # of the last month


@dataclass
class ConsolidatedView:
    consolidation: Consolidation
    start: date
    end: date  # the first day of the last month counted
    contributions: list[Contribution] = field(default_factory=list)
    pending: list[Organization] = field(default_factory=list)  # declared, not yet approved by the company
    unreachable: list[Organization] = field(default_factory=list)  # approved, not served by the viewer
    hidden: set[str] = field(default_factory=set)  # lines a counted company's role hides from the viewer
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    eliminated: dict[str, Decimal] = field(default_factory=dict)
    net_cash: Decimal | None = None
    gross_margin_pct: Decimal | None = None
    dso: Decimal | None = None
    month_days: int = 30  # days of the last month, the DSO's period


def _sum(values) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def consolidation_members(consolidation: Consolidation) -> list[ConsolidationMember]:
    """The companies declared in the consolidation with their consent; 1 query."""
    return list(
        ConsolidationMember.objects.filter(  # scoped: the rows the consultancy declared (its RLS exception)
            declared_by_id=consolidation.organization_id, consolidation=consolidation)
        .select_related("organization").order_by("organization__name"))


def consolidated_view(consolidation: Consolidation, clients: list[ServedClient],
                      *, today: date | None = None) -> ConsolidatedView:
    """The consolidation over the last 12 closed months; 5 queries, inside `reading_clients` (a
    consultancy's page) or `reading_own_companies` (the holding's own page, for a group its CEO declared)."""
    end = last_closed_month(today or timezone.localdate())
    start = add_months(end, -(MONTHS - 1))
    view = ConsolidatedView(consolidation=consolidation, start=start, end=end)
    served = {c.org.pk: c for c in clients}
    counted: list[ServedClient] = []
    for m in consolidation_members(consolidation):
        if m.is_pending:
            view.pending.append(m.organization)
        elif m.organization_id in served:
            counted.append(served[m.organization_id])
        else:
            view.unreachable.append(m.organization)
    if not counted:
        return view
    for c in counted:
        view.hidden |= {slug for slug in (*SIG_LINES, "net_cash", "gross_margin_pct", "dso") if not c.may_see(slug)}
    contributions = {c.org.pk: Contribution(org=c.org) for c in counted}
    _read_values(contributions, start=start, end=end)
    _read_intercompany(contributions, start=start, end=end)
    view.contributions = list(contributions.values())
    view.month_days = (add_months(end, 1) - end).days
    _consolidate(view, days=view.month_days)
    return view


def _read_values(contributions: dict[int, Contribution], *, start: date, end: date) -> None:
    rows = KpiValue.objects.filter(  # scoped: the served clients only (clients_read_context)
        organization_id__in=list(contributions), grain="month", dimension_value="",
        kpi__slug__in=[*SIG_LINES, "net_cash", "gross_margin_pct", "dso"],
        period_start__gte=start, period_start__lte=end,
    ).values_list("organization_id", "kpi__slug", "period_start", "value", "inputs")
    lines: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for org_id, slug, month, value, inputs in rows:
        c = contributions[org_id]
        if slug in SIG_LINES:
            lines[org_id][slug].append(value)
        elif slug == "net_cash" and month == end:
            c.net_cash = value
        elif slug == "gross_margin_pct":
            reads = inputs or {}
            revenue = (reads.get("kpis") or {}).get("revenue")
            cogs = (reads.get("metrics") or {}).get("cost_of_goods_sold")
            if revenue is not None and cogs is not None:
                c.margin_numerator = (c.margin_numerator or ZERO) + Decimal(revenue) - Decimal(cogs)
        elif slug == "dso" and month == end:
            metrics = (inputs or {}).get("metrics") or {}
            receivables = metrics.get("receivables_411") or metrics.get("open_receivables")
            sales = metrics.get("sales_incl_vat")
            if receivables is not None and sales is not None:
                c.receivables, c.sales_incl_vat = Decimal(receivables), Decimal(sales)
    for org_id, c in contributions.items():
        c.lines = {slug: _sum(lines[org_id][slug]) for slug in SIG_LINES}


def _read_intercompany(contributions: dict[int, Contribution], *, start: date, end: date) -> None:
    marks = IntercompanyParty.objects.filter(  # scoped: the served clients only (clients_read_context)
        organization_id__in=list(contributions)).values_list("customer_id", "supplier_id")
    customers = [c for c, _s in marks if c]
    suppliers = [s for _c, s in marks if s]
    if not customers and not suppliers:
        return
    flows = (
        Invoice.objects.filter(  # scoped: the served clients only (clients_read_context)
            organization_id__in=list(contributions), is_void=False,
            issue_date__gte=start, issue_date__lt=add_months(end, 1))
        .filter(Q(kind=Invoice.Kind.CUSTOMER, customer_id__in=customers)
                | Q(kind=Invoice.Kind.SUPPLIER, supplier_id__in=suppliers))
        .values("organization_id", "kind").annotate(total=Sum("amount_excl_tax"))
    )
    for f in flows:
        c = contributions[f["organization_id"]]
        if f["kind"] == Invoice.Kind.CUSTOMER:
            c.intercompany_sales = f["total"] or ZERO
        else:
            c.intercompany_purchases = f["total"] or ZERO
    if customers:
        _read_intercompany_receivables(contributions, customers, end=end)


def _read_intercompany_receivables(contributions: dict[int, Contribution], customers: list[int], *,
                                   end: date) -> None:
    """What the group's companies owe one another at the last month's end, and the last month's sales to
    them, both incl. VAT: they leave the DSO's receivables and sales (an invoice paid since counts whole)."""
    after = add_months(end, 1)
    rows = (
        Invoice.objects.filter(  # scoped: the served clients only (clients_read_context)
            organization_id__in=list(contributions), is_void=False, kind=Invoice.Kind.CUSTOMER,
            customer_id__in=customers, issue_date__lt=after)
        .values("organization_id")
        .annotate(
            open_unpaid=Sum("remaining_amount_incl_tax", filter=Q(paid_date__isnull=True)),
            open_paid_since=Sum("amount_incl_tax", filter=Q(paid_date__gte=after)),
            sold=Sum("amount_incl_tax", filter=Q(issue_date__gte=end)),
        )
    )
    for r in rows:
        c = contributions[r["organization_id"]]
        c.intercompany_receivables = (r["open_unpaid"] or ZERO) + (r["open_paid_since"] or ZERO)
        c.intercompany_sales_incl_vat = r["sold"] or ZERO


def _consolidate(view: ConsolidatedView, *, days: int) -> None:
    cs = view.contributions
    sales = sum((c.intercompany_sales for c in cs), ZERO)
    purchases = sum((c.intercompany_purchases for c in cs), ZERO)
    for slug in SIG_LINES:
        if slug in view.hidden:
            continue
        total = _sum(c.lines.get(slug) for c in cs)
        adjustment = -sales if slug == "revenue" else (purchases - sales) if slug in MARGIN_LINES else ZERO
        view.eliminated[slug] = adjustment
        view.totals[slug] = None if total is None else total + adjustment
    if "net_cash" not in view.hidden:
        view.net_cash = _sum(c.net_cash for c in cs)
    revenue = view.totals.get("revenue")
    numerators = [c.margin_numerator for c in cs]
    if "gross_margin_pct" not in view.hidden and revenue and None not in numerators:
        view.gross_margin_pct = (sum(numerators, ZERO) - sales + purchases) / revenue * 100
    receivables = [c.receivables for c in cs]
    sold = [c.sales_incl_vat for c in cs]
    if "dso" not in view.hidden and None not in receivables and None not in sold:
        owed = sum(receivables, ZERO) - sum((c.intercompany_receivables for c in cs), ZERO)
        sold_outside = sum(sold, ZERO) - sum((c.intercompany_sales_incl_vat for c in cs), ZERO)
        if sold_outside > 0:
            view.dso = owed / sold_outside * days
