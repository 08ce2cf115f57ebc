"""The budgets page: the grid of a version (HTMX save per cell), versions, the reference, variances, targets.

Reading needs `kpis.view_costs` (budgets are cost detail); writing needs `budgets.manage` (CEO, CFO).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from budgets import selectors, services
from budgets.forms import BudgetCreateForm, CellForm, RowAddForm, RowDeleteForm, TargetsForm, VersionCopyForm
from budgets.models import BudgetVersion


def _version(request, version_id: int) -> BudgetVersion:
    return get_object_or_404(BudgetVersion.objects.for_org(request.org).select_related("budget"), pk=version_id)


def _page(request, version: BudgetVersion | None = None):
    url = reverse("budgets:budget_page", kwargs={"org_slug": request.org.slug})
    return redirect(f"{url}?version={version.pk}" if version else url)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _month(value: str | None) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


@require_GET
@require_capability("kpis.view_costs")
def budget_page(request, org_slug):
    today = timezone.localdate()
    budgets = selectors.budgets_for(request.org)
    version = selectors.version_chosen(budgets, version_id=_int(request.GET.get("version")), today=today)
    grid = selectors.budget_grid(request.org, version=version) if version else None
    fmt = export_format(request)
    if fmt and grid is not None:
        return table_download(fmt=fmt, filename=f"{request.org.slug}-budget-{version.budget.fiscal_year}-{version.name}",
                              header=[_("Account prefix"), _("Label"), *grid.months, _("Total")],
                              rows=([r.account_prefix, r.label, *(a for _m, a in r.cells), r.total] for r in grid.rows))
    month = selectors.variance_month(version.budget, requested=_month(request.GET.get("month")), today=today) \
        if version else None
    variances = selectors.budget_variances(request.org, period_start=month, period_end=month) if month else []
    return render(request, "budgets/budget_page.html", {
        "budgets": budgets, "version": version, "grid": grid, "month": month, "variances": variances,
        "target_kpis": selectors.budget_target_kpis(request.org) if version else [],
        "row_form": RowAddForm(), "copy_form": VersionCopyForm(),
        "next_fiscal_years": _fiscal_years_to_create(request.org, budgets, today),
    })


def _fiscal_years_to_create(org, budgets, today: date) -> list[int]:
    current, _start = services.fiscal_year_of(org, today)
    existing = {b.fiscal_year for b in budgets}
    return [y for y in (current, current + 1) if y not in existing]


@require_POST
@require_capability("budgets.manage")
def budget_cell_save(request, org_slug, version_id):
    """One cell, saved as the CFO leaves it; the grid comes back with its totals (or the cell's error)."""
    version = _version(request, version_id)
    form = CellForm(request.POST)
    context = {"version": version, "form_error": "", "cell_error": None}
    if not form.is_valid():
        context["form_error"] = _("This cell could not be read: reload the page.")
    else:
        data = form.cleaned_data
        try:
            services.budget_cell_save(version=version, account_prefix=data["account"], month=data["month"],
                                      amount=data["amount"], by=request.membership)
        except ValidationError as exc:
            context["cell_error"] = {"key": f"{data['account']}-{data['month'].isoformat()}",
                                     "message": " ".join(exc.messages), "typed": data["amount"]}
    context["grid"] = selectors.budget_grid(request.org, version=version)
    return render(request, "budgets/partials/budget_grid.html", context)


@require_POST
@require_capability("budgets.manage")
def budget_create(request, org_slug):
    form = BudgetCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a fiscal year."))
        return _page(request)
    fiscal_year = form.cleaned_data["fiscal_year"]
    start = date(fiscal_year if request.org.fiscal_year_start_month == 1 else fiscal_year - 1,
                 request.org.fiscal_year_start_month, 1)
    version = services.budget_version_get_or_create(org=request.org, month=start, by=request.membership)
    return _page(request, version)


@require_POST
@require_capability("budgets.manage")
def budget_row_add(request, org_slug, version_id):
    version = _version(request, version_id)
    form = RowAddForm(request.POST)
    if form.is_valid():
        try:
            services.budget_row_save(version=version, account_prefix=form.cleaned_data["account"],
                                     label=form.cleaned_data["label"], amounts={}, by=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the line an account prefix and a label."))
    return _page(request, version)


@require_POST
@require_capability("budgets.manage")
def budget_row_delete(request, org_slug, version_id):
    version = _version(request, version_id)
    form = RowDeleteForm(request.POST)
    if form.is_valid():
        services.budget_row_delete(version=version, account_prefix=form.cleaned_data["account"], by=request.membership)
    return _page(request, version)


@require_POST
@require_capability("budgets.manage")
def budget_version_copy(request, org_slug, version_id):
    version = _version(request, version_id)
    form = VersionCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the new version, such as “Revised in June”."))
        return _page(request, version)
    try:
        copy = services.budget_version_copy(version=version, name=form.cleaned_data["name"], by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, version)
    messages.success(request, _("Version “%(name)s” created from “%(source)s”.") % {"name": copy.name,
                                                                                  "source": version.name})
    return _page(request, copy)


@require_POST
@require_capability("budgets.manage")
def budget_version_reference(request, org_slug, version_id):
    version = services.budget_version_make_reference(version=_version(request, version_id), by=request.membership)
    messages.success(request, _("Variances and budget KPIs now compare with “%(name)s”.") % {"name": version.name})
    return _page(request, version)


@require_POST
@require_capability("budgets.manage")
def kpi_targets_from_budget(request, org_slug, version_id):
    version = _version(request, version_id)
    form = TargetsForm(request.POST)
    if form.is_valid():
        try:
            count = services.kpi_targets_from_budget(budget=version.budget, kpi_slug=form.cleaned_data["kpi"],
                                                     by=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(count)s monthly targets set from the reference budget.") % {"count": count})
    return _page(request, version)
