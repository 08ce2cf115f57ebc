"""Budgets: one per company and fiscal year, in versions (initial, revised…), lines per PCG prefix × month.

A line is one amount: (version, account prefix, month). Amounts are positive for charges (class 6) and
for income (class 7) alike, as a CFO types them; a line's class says which it is. One version per budget
is the reference: the KPI engine reads it (record type `budgetline`) and variances compare with it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgOwned


class Budget(OrgOwned):
    # Named like kpis.periods' fiscal years: after the calendar year the fiscal year ends in.
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    start = models.DateField(_("first month"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "fiscal_year"], name="budget_org_year_uniq")]
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}"


class BudgetVersion(OrgOwned):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=80)
    is_reference = models.BooleanField(_("reference for variances"), default=False)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "budget", "name"], name="budgetversion_name_uniq"),
            models.UniqueConstraint(fields=["organization", "budget"], condition=models.Q(is_reference=True),
                                    name="budgetversion_one_reference"),
        ]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(OrgOwned):
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    # A PCG prefix ("64", "607", "706"), named as on ledger lines so metrics filter both alike.
    account_number = models.CharField(_("account prefix"), max_length=20)
    label = models.CharField(_("label"), max_length=150)
    month = models.DateField(_("month"))  # its first day
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=Decimal(0))
    # Always False: the engine's record filter (kpis.engine.records.metric_q) reads it on every record type.
    is_deleted = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "version", "account_number", "month"],
                                    name="budgetline_natural_key"),
        ]
        indexes = [models.Index(fields=["organization", "month", "account_number"], name="budgetline_org_month_idx")]

    @property
    def is_cost(self) -> bool:
        return is_cost_prefix(self.account_number)


def is_cost_prefix(prefix: str) -> bool:
    """Class 6 is a charge; class 7 an income (the only classes a budget line may have)."""
    return prefix.startswith("6")
