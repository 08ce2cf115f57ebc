"""Reads of the budgets app: the grid of a version, and variances against the reference budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from accounts.models import Organization
from budgets.models import Budget, BudgetLine, BudgetVersion, is_cost_prefix
from integrations.models import LedgerLine
from kpis.periods import add_months

CENT = Decimal("0.01")


@dataclass(frozen=True)
class GridRow:
    account_prefix: str
    label: str
    is_cost: bool
    cells: list[tuple[date, Decimal]]
    total: Decimal


@dataclass(frozen=True)
class Grid:
    version: BudgetVersion
    months: list[date]
    rows: list[GridRow]
    income: list[Decimal]  # per month, then the year's total last
    charges: list[Decimal]
    result: list[Decimal]  # income − charges


def budgets_for(org: Organization) -> list[Budget]:
    """The organization's budgets, newest fiscal year first, with their versions; 2 queries."""
    return list(Budget.objects.for_org(org).prefetch_related("versions"))


def budget_grid(org: Organization, *, version: BudgetVersion) -> Grid:
    """The version's lines × its twelve months, with row and column totals; 1 query."""
    months = [add_months(version.budget.start, i) for i in range(12)]
    by_prefix: dict[str, dict] = {}
    for line in BudgetLine.objects.for_org(org).filter(version=version).order_by("account_number", "month"):
        row = by_prefix.setdefault(line.account_number, {"label": line.label, "amounts": {}})
        row["amounts"][line.month] = line.amount
    rows = [_grid_row(prefix, data["label"], data["amounts"], months) for prefix, data in by_prefix.items()]
    rows.sort(key=lambda r: (not r.is_cost, r.account_prefix))  # charges first, as the SIG reads them
    income = _column_totals([r for r in rows if not r.is_cost], months)
    charges = _column_totals([r for r in rows if r.is_cost], months)
    return Grid(version=version, months=months, rows=rows, income=income, charges=charges,
                result=[i - c for i, c in zip(income, charges, strict=True)])


def budget_grid_row(org: Organization, *, version: BudgetVersion, account_prefix: str) -> GridRow | None:
    """One row of the grid, as the HTMX save swaps it back; 1 query."""
    months = [add_months(version.budget.start, i) for i in range(12)]
    lines = list(BudgetLine.objects.for_org(org).filter(version=version, account_number=account_prefix))
    if not lines:
        return None
    return _grid_row(account_prefix, lines[0].label, {line.month: line.amount for line in lines}, months)


def _grid_row(prefix: str, label: str, amounts: dict[date, Decimal], months: list[date]) -> GridRow:
    cells = [(m, amounts.get(m, Decimal(0))) for m in months]
    return GridRow(account_prefix=prefix, label=label, is_cost=is_cost_prefix(prefix), cells=cells,
                   total=sum((a for _m, a in cells), Decimal(0)))


def _column_totals(rows: list[GridRow], months: list[date]) -> list[Decimal]:
    per_month = [sum((r.cells[i][1] for r in rows), Decimal(0)) for i in range(len(months))]
    return [*per_month, sum(per_month, Decimal(0))]


@dataclass(frozen=True)
class BudgetVariance:
    """One budget line of the reference version in one month, against the ledger.

    `variance` = actual − budget: an overrun of a cost line, and income above budget, are positive.
    `variance_pct` is the variance in percent of the budget (None when the budget is zero).
    """

    line_label: str
    account_prefix: str
    period_start: date
    budget: Decimal
    actual: Decimal
    variance: Decimal
    variance_pct: Decimal | None
    is_cost: bool


def budget_variances(organization: Organization, *, period_start: date, period_end: date) -> list[BudgetVariance]:
    """Every reference budget line × month between the two dates (months they start), with its actual; 2 queries.

    A ledger account counts for the longest budget prefix it starts with (with lines "60" and "607", a
    607100 purchase is the 607 line's, a 606 one the 60 line's), so no amount counts twice.
    """
    first, last = date(period_start.year, period_start.month, 1), date(period_end.year, period_end.month, 1)
    lines = list(BudgetLine.objects.for_org(organization)
                 .filter(version__is_reference=True, month__gte=first, month__lte=last)
                 .values("account_number", "label", "month", "amount"))
    if not lines:
        return []
    prefixes = sorted({row["account_number"] for row in lines}, key=len, reverse=True)
    actual = _actuals_by_prefix(organization, prefixes, first=first, last=last)
    variances = []
    for row in sorted(lines, key=lambda r: (r["month"], r["account_number"])):
        prefix, month = row["account_number"], row["month"]
        budget = row["amount"]
        spent = actual.get((prefix, month), Decimal(0))
        variance = spent - budget
        pct = (variance / budget * 100).quantize(CENT) if budget else None
        variances.append(BudgetVariance(line_label=row["label"], account_prefix=prefix, period_start=month,
                                        budget=budget, actual=spent, variance=variance, variance_pct=pct,
                                        is_cost=is_cost_prefix(prefix)))
    return variances


def _actuals_by_prefix(org: Organization, prefixes: list[str], *, first: date, last: date) -> dict:
    """(prefix, month) → charges (debit − credit) for class 6, income (credit − debit) for class 7."""
    matches = Q()
    for prefix in prefixes:
        matches |= Q(account_number__startswith=prefix)
    rows = (LedgerLine.objects.for_org(org)
            .filter(matches, is_deleted=False, date__gte=first, date__lt=add_months(last, 1))
            .annotate(month=TruncMonth("date")).values("account_number", "month")
            .annotate(debit=Sum("debit"), credit=Sum("credit")).order_by())
    out: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in rows:
        prefix = next(p for p in prefixes if row["account_number"].startswith(p))  # the longest first
        net = (row["debit"] or 0) - (row["credit"] or 0)
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        out[(prefix, month)] += net if is_cost_prefix(prefix) else -net
    return out


def version_chosen(budgets: list[Budget], *, version_id: int | None, today: date) -> BudgetVersion | None:
    """The version asked for, else the reference of the budget of today's fiscal year (else the newest)."""
    versions = [v for b in budgets for v in b.versions.all()]
    if version_id is not None:
        return next((v for v in versions if v.pk == version_id), None)
    current = next((b for b in budgets if b.start <= today < add_months(b.start, 12)), budgets[0] if budgets else None)
    if current is None:
        return None
    candidates = list(current.versions.all())
    return next((v for v in candidates if v.is_reference), candidates[0] if candidates else None)


def variance_month(budget: Budget, *, requested: date | None, today: date) -> date:
    """The month whose variances the page shows: the one asked for within the budget, else the last closed
    month of the budget (its first month when none is closed yet)."""
    months = [add_months(budget.start, i) for i in range(12)]
    if requested is not None and date(requested.year, requested.month, 1) in months:
        return date(requested.year, requested.month, 1)
    closed = [m for m in months if add_months(m, 1) <= today]
    return closed[-1] if closed else months[0]


def budget_target_kpis(org: Organization) -> list:
    """The KPIs whose monthly targets can come from the budget: those with a `budget_<slug>` KPI; 1 query."""
    from kpis.models import Kpi

    kpis = {k.slug: k for k in Kpi.objects.for_org(org).filter(is_active=True)}
    return [kpis[slug] for slug in sorted(kpis) if f"budget_{slug}" in kpis and not slug.startswith("budget_")]
