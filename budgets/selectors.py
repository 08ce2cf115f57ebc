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
