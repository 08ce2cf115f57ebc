"""A budget cost line overruns: actual above budget by more than x % or more than an amount.

Reads `budgets.selectors.budget_variances(organization, *, period_start, period_end)` (the budgets app);
without that app the kind is unavailable: it is not installed by default and evaluates to nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown, shown_number


def _budget_variances():
    try:
        from budgets.selectors import budget_variances
    except ImportError:
        return None
    return budget_variances


class BudgetOverrunRule(Rule):
    kind = "budget_overrun"
    label = _l("Budget overrun")
    defaults = {"pct": 10, "amount": "0"}  # either bound fires (an amount of 0 means "by percentage only")

    @classmethod
    def is_available(cls) -> bool:
        return _budget_variances() is not None

    def evaluate(self, ctx: Context) -> list[Finding]:
        budget_variances = _budget_variances()
        if budget_variances is None:
            return []
        month = ctx.last_complete_month
        pct = Decimal(str(self.params.get("pct", 10)))
        amount = Decimal(str(self.params.get("amount", "0")))
        caps = ctx.kpi_capabilities("budget_variance") if "budget_variance" in ctx.visibility.required \
            else frozenset({"kpis.view_costs"})
        findings = []
        for v in budget_variances(ctx.org, period_start=month.start, period_end=month.end):
            if not v.is_cost or v.budget is None or v.actual is None or v.actual <= v.budget:
                continue
            over = v.actual - v.budget
            over_pct = (over / abs(v.budget) * 100) if v.budget else None
            if not ((over_pct is not None and over_pct > pct) or (amount > 0 and over > amount)):
                continue
            findings.append(Finding(
                subject_key=f"budget:{v.account_prefix or v.line_label}", figure=v.actual, threshold=v.budget,
                params={"line": v.line_label, "actual": as_text(v.actual), "budget": as_text(v.budget),
                        "over": as_text(over), "over_pct": as_text(over_pct, 1) if over_pct is not None else "",
                        "period": month.start.isoformat()},
                capabilities=caps,
                link=f"{ctx.url('budgets:budget_page')}?month={month.start:%Y-%m}" if ctx.url("budgets:budget_page") else ""))
        return findings

    def message(self, params) -> str:
        return _("%(line)s overran its budget: %(actual)s spent against %(budget)s budgeted "
                 "(+%(over_pct)s %%).") % {
            **shown(params, "eur", "actual", "budget", "over"), "over_pct": shown_number(params["over_pct"])}
