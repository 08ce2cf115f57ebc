"""Shapes of the budgets page's inputs; the services check the business rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.limits import PERIOD_YEAR_MAX, PERIOD_YEAR_MIN


class CellForm(forms.Form):
    account = forms.CharField(max_length=20)
    month = forms.DateField()
    amount = forms.CharField(max_length=40, required=False)


class RowAddForm(forms.Form):
    account = forms.CharField(label=_("Account prefix"), max_length=20,
                              help_text=_("PCG class 6 (charges) or 7 (income), such as 64 or 706."))
    label = forms.CharField(label=_("Label"), max_length=150)


class RowDeleteForm(forms.Form):
    account = forms.CharField(max_length=20)


class VersionCopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the new version"), max_length=80)


class BudgetCreateForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=PERIOD_YEAR_MIN, max_value=PERIOD_YEAR_MAX)


class TargetsForm(forms.Form):
    kpi = forms.CharField(label=_("KPI"), max_length=80)
