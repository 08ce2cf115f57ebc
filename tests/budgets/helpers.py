"""Budgets built by hand for the tests, through the services a CFO's page calls."""

from __future__ import annotations

from datetime import date

from budgets.models import BudgetVersion
from budgets.services import budget_lines_upsert, budget_version_get_or_create


def budget(org, month: date, lines: dict[str, object], *, version: str = "Initial", label: str = "") -> BudgetVersion:
    """Lines {account prefix: amount} of one month in the named version (the first version is the reference)."""
    budget_lines_upsert(org=org, rows=[
        {"version": version, "account": prefix, "label": label or f"Line {prefix}", "month": month, "amount": amount}
        for prefix, amount in lines.items()])
    return budget_version_get_or_create(org=org, month=month, name=version)
