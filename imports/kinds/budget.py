"""Budget lines: one amount per version, PCG account prefix and month; written by the budgets app.

The version and the month name the budget (the fiscal year containing the month) and its version,
both created when missing; re-importing a file updates its amounts (natural key version + account +
month) and duplicates nothing. Only those who manage budgets may import them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.values import parse_date, parse_decimal, parse_text

_CENT = Decimal("0.01")


class BudgetKind(ImportKind):
    key = "budget"
    label = _("Budget")
    model = "budgetline"
    capability = "budgets.manage"
    pushable = False  # budgets are typed or imported by the CFO, not pushed by machines
    natural_key = ("version", "account", "month")
    description = _("One row per budget version, account prefix (PCG class 6 or 7, such as 64 or 706) and month "
                    "(its first day). Amounts are positive, charges and income alike.")
    columns = (
        Column("version", _("Version"), parse_text, required=True, aliases=("budget", "scenario", "version_budget"),
               example="Initial"),
        Column("account", _("Account prefix"), parse_text, required=True,
               aliases=("account_prefix", "account_number", "prefix", "compte", "prefixe", "numero_de_compte"),
               example="64"),
        Column("label", _("Label"), parse_text, aliases=("line", "ligne", "libelle", "poste"), example="Personnel"),
        Column("month", _("Month"), parse_date, required=True, aliases=("mois", "period", "periode", "date"),
               example="2026-01-01"),
        Column("amount", _("Amount excl. VAT"), parse_decimal, required=True,
               aliases=("budget_amount", "montant", "montant_ht"), example="42 000,00"),
    )

    def to_fields(self, values):
        from budgets.services import clean_prefix

        try:
            account = clean_prefix(values["account"])
        except ValidationError:
            raise RowFieldError("account", "bad_prefix") from None
        if values["amount"] < 0:
            raise RowFieldError("amount", "negative")
        month = values["month"]
        return {"version": values["version"][:80], "account": account, "label": (values.get("label") or "")[:150],
                "month": date(month.year, month.month, 1), "amount": values["amount"].quantize(_CENT)}

    def external_id(self, values):
        fields = self.to_fields(values)
        return f"{fields['version']}|{fields['account']}|{fields['month'].isoformat()}"

    @classmethod
    def write(cls, *, org, records, by, provenance=None, on_progress=None):  # budget lines carry no provenance
        from budgets.services import budget_lines_upsert

        counts = budget_lines_upsert(org=org, rows=[r.fields for r in records], by=by)
        if on_progress is not None:
            on_progress(len(records))
        return {kind: {cls.model: n} for kind, n in counts.items()}
