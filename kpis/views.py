"""KPI pages: the catalogue, a KPI's detail (trend, values, forecast, lineage, driver tree, what-if) and the
editor of custom KPIs. Thin: parse input, find through the organization, call a presenter or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from config.limits import FORMULA_MAX_LENGTH
from kpis import presenters, selectors, services
from kpis.forms import AnnotationForm, KpiForm, PacksForm, WhatIfForm
from kpis.models import Grain
from kpis.presenters import exports
from kpis.presenters.analysis import tree_metrics
from kpis.selectors import WhatIfChange


def _visibility(request) -> selectors.Visibility:
    """What each metric and KPI needs to be seen (kpis.selectors.kpi_visibility_for), once per request."""
    if not hasattr(request, "_kpi_visibility"):
        request._kpi_visibility = selectors.kpi_visibility_for(request.org)
    return request._kpi_visibility


def _visible_kpi(request, kpi_slug: str):
    """The KPI of this organization the member may see; another tenant's or a hidden one is a 404. Read with
    the visibility from the kept catalogue, in one query."""
    kpi, request._kpi_visibility = selectors.kpi_with_visibility(request.org, slug=kpi_slug)
    if kpi is None or not _visibility(request).allows(request.membership, kpi.slug):
        raise Http404
    return kpi


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


@require_GET
@require_capability("kpis.view")
def catalogue(request, org_slug):
    month = presenters.parse_month(request.org, request.GET.get("month"))
    data = presenters.catalogue_for(request.org, membership=request.membership, month=month)
    if fmt := export_format(request):
        header, rows = exports.catalogue_table(data)
        return table_download(fmt=fmt, filename=f"{request.org.slug}-kpis-{month.start:%Y-%m}", header=header,
                              rows=rows)
    packs_form = PacksForm(initial={"packs": request.org.packs})
    return render(request, "kpis/catalogue.html", {"catalogue": data, "packs_form": packs_form})


@require_POST
@require_capability("kpis.edit")
def catalogue_packs(request, org_slug):
    """Change the company's trade packs: their KPIs are switched on or off, never deleted."""
    form = PacksForm(request.POST)
    if form.is_valid():
        on, off = services.catalogue_packs_change(org=request.org, packs=form.cleaned_data["packs"],
                                                  by=request.membership)
        messages.success(request, _("Packs saved: %(on)s KPIs switched on, %(off)s switched off.")
                         % {"on": on, "off": off})
    else:
        messages.error(request, _("Choose among the packs offered."))
    return redirect("kpis:catalogue", org_slug=org_slug)


def _detail_page(request, kpi, *, month, dimension: str, grain: str = "month", what_if_form=None,
                 what_if=None, status: int = 200):
    """The KPI page; the what-if form comes back inside it (with its result) when JavaScript is off."""
    detail = presenters.kpi_detail_for(request.org, kpi=kpi, membership=request.membership, month=month,
                                       dimension_value=dimension, grain=grain, visibility=_visibility(request))
    if (fmt := export_format(request)) and what_if_form is None:
        header, rows = exports.values_table(kpi, detail.table_rows)
        return table_download(fmt=fmt, filename=f"{request.org.slug}-{kpi.slug}-{detail.grain}", header=header,
                              rows=rows)
    reference_month = detail.headline.period if detail.headline else month
    drivers = presenters.drivers_for(request.org, kpi=kpi, membership=request.membership, month=reference_month,
                                     dimension_value=dimension, visibility=_visibility(request))
    presenters.with_formula(request.org, detail, driver_root=drivers.engine_root)
    month_value = reference_month.start.strftime("%Y-%m")
    # The source records are raw rows: the page loads them afterwards (HTMX), so it renders from materialised values.
    lineage_query = urlencode({"month": month_value, "dimension": dimension})
    return render(request, "kpis/kpi_detail.html", {
        "detail": detail, "kpi": kpi, "kpi_label": presenters.kpi_name(kpi), "drivers": drivers,
        "lineage_query": lineage_query, "grain_choices": Grain.choices,
        "what_if_form": what_if_form or WhatIfForm(drivers=drivers.choices,
                                                   initial={"month": month_value, "dimension": dimension}),
        "what_if": what_if,
        "annotation_form": AnnotationForm(initial={"month": month_value}),
        "unmapped_ledger": selectors.unmapped_ledger_for(
            request.org, metrics=tree_metrics(drivers.engine_root)),
    }, status=status)


@require_GET
@require_capability("kpis.view")
def kpi_detail(request, org_slug, kpi_slug):
    kpi = _visible_kpi(request, kpi_slug)
    month = presenters.parse_month(request.org, request.GET.get("month"), default_current=True)
    return _detail_page(request, kpi, month=month, dimension=request.GET.get("dimension", "")[:120],
                        grain=request.GET.get("grain", "month"))


@require_GET
@require_capability("kpis.view")
def kpi_lineage(request, org_slug, kpi_slug):
    """The records behind one metric of a KPI value: an HTMX fragment, or a page of its own without JS."""
    kpi = _visible_kpi(request, kpi_slug)
    month = presenters.parse_month(request.org, request.GET.get("month"))
    lineage = presenters.lineage_for(
        request.org, kpi=kpi, month=month, metric_slug=request.GET.get("metric", ""),
        page=_page_number(request.GET.get("page")), dimension_value=request.GET.get("dimension", "")[:120],
    )
    template = "kpis/partials/lineage.html" if request.htmx else "kpis/lineage.html"
    response = render(request, template, {"kpi": kpi, "kpi_label": presenters.kpi_name(kpi), "lineage": lineage})
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@require_capability("kpis.what_if")
def kpi_what_if(request, org_slug, kpi_slug):
    """Moves one driver and shows every dependent KPI before and after. Saves nothing."""
    kpi = _visible_kpi(request, kpi_slug)
    month = presenters.parse_month(request.org, request.POST.get("month"))
    dimension = request.POST.get("dimension", "")[:120]
    drivers = presenters.drivers_for(request.org, kpi=kpi, membership=request.membership, month=month,
                                     dimension_value=dimension, visibility=_visibility(request))
    form = WhatIfForm(request.POST, drivers=drivers.choices)
    if form.is_valid():
        data = form.cleaned_data
        change = WhatIfChange(pct=data["amount"]) if data["mode"] == "pct" else WhatIfChange(value=data["amount"])
        results = selectors.what_if(request.org, period=month, changes={data["driver"]: change},
                                    dimension_value=dimension)
        result = {
            "rows": presenters.what_if_rows(request.org, membership=request.membership, results=results,
                                            visibility=_visibility(request)),
            "summary": presenters.what_if_summary(driver=dict(drivers.choices)[data["driver"]], mode=data["mode"],
                                                  amount=data["amount"], month=month),
        }
    else:
        result = {"errors": [f"{form.fields[name].label}: {' '.join(msgs)}" if name in form.fields
                             else " ".join(msgs) for name, msgs in form.errors.items()]}
    if request.htmx:
        return render(request, "kpis/partials/what_if_result.html", {"what_if": result, "kpi": kpi})
    return _detail_page(request, kpi, month=month, dimension=dimension, what_if_form=form, what_if=result,
                        status=400 if "errors" in result else 200)


def _kpi_fields(form: KpiForm) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in ("name", "formula", "unit", "direction", "category", "owner_role",
                                          "visibility_capability", "description")}


def _editor(request, *, form: KpiForm, kpi=None, status: int = 200):
    formula = form.data.get("formula", "") if form.is_bound else (kpi.formula if kpi else "")
    check = presenters.formula_check(request.org, formula=formula, membership=request.membership,
                                     slug=kpi.slug if kpi else "", unit=form.data.get("unit", "eur")
                                     if form.is_bound else (kpi.unit if kpi else "eur"))
    return render(request, "kpis/kpi_form.html", {
        "form": form, "kpi": kpi, "kpi_label": presenters.kpi_name(kpi) if kpi else "", "check": check,
        "references": presenters.reference_help(request.org, membership=request.membership,
                                                exclude=kpi.slug if kpi else ""),
    }, status=status)


def _save_kpi(request, form: KpiForm, kpi=None):
    """Runs the editor's own check (which hides KPIs the member may not see), then the engine's service."""
    if not form.is_valid():
        return None
    slug = kpi.slug if kpi else form.cleaned_slug()
    check = presenters.formula_check(request.org, formula=form.cleaned_data["formula"],
                                     membership=request.membership, slug=slug, unit=form.cleaned_data["unit"])
    if check.error:
        form.add_error("formula", check.error)
        return None
    try:
        if kpi is None:
            return services.kpi_create(org=request.org, by=request.membership, slug=slug, **_kpi_fields(form))
        return services.kpi_update(kpi=kpi, by=request.membership, **_kpi_fields(form))
    except ValidationError as exc:
        for field_name, messages_ in exc.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in messages_:
                form.add_error(target, message)
        return None


@require_http_methods(["GET", "POST"])
@require_capability("kpis.edit")
def kpi_create(request, org_slug):
    form = KpiForm(request.POST or None)
    if request.method == "POST":
        kpi = _save_kpi(request, form)
        if kpi is not None:
            messages.success(request, _("“%(name)s” is saved; its values are being computed.") % {"name": kpi.name})
            return redirect("kpis:kpi_detail", org_slug=org_slug, kpi_slug=kpi.slug)
        return _editor(request, form=form, status=400)
    return _editor(request, form=form)


@require_http_methods(["GET", "POST"])
@require_capability("kpis.edit")
def kpi_edit(request, org_slug, kpi_slug):
    kpi = _visible_kpi(request, kpi_slug)
    initial = {name: getattr(kpi, name) for name in ("name", "formula", "unit", "direction", "category",
                                                     "owner_role", "visibility_capability", "description")}
    initial["slug"] = kpi.slug
    form = KpiForm(request.POST or None, initial=initial)
    form.fields["slug"].disabled = True
    if request.method == "POST":
        saved = _save_kpi(request, form, kpi=kpi)
        if saved is not None:
            messages.success(request, _("“%(name)s” is saved; its values are being recomputed.") % {"name": saved.name})
            return redirect("kpis:kpi_detail", org_slug=org_slug, kpi_slug=saved.slug)
        return _editor(request, form=form, kpi=kpi, status=400)
    return _editor(request, form=form, kpi=kpi)


@require_POST
@require_capability("kpis.edit")
def formula_check(request, org_slug):
    """The editor's live validation (HTMX, as one types): errors with their position, references, preview."""
    editing = request.POST.get("editing", "")
    kpi = _visible_kpi(request, editing) if editing else None
    check = presenters.formula_check(request.org, formula=request.POST.get("formula", "")[:FORMULA_MAX_LENGTH + 1],
                                     membership=request.membership, slug=kpi.slug if kpi else "",
                                     unit=request.POST.get("unit", "eur"))
    return render(request, "kpis/partials/formula_check.html", {"check": check})


@require_POST
@require_capability("kpis.view")
def kpi_annotate(request, org_slug, kpi_slug):
    """Anyone who sees a KPI may note why a month moved; back to the KPI page."""
    kpi = _visible_kpi(request, kpi_slug)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        month = presenters.parse_month(request.org, form.cleaned_data["month"], default_current=True)
        try:
            services.kpi_annotation_create(kpi=kpi, by=request.membership, period_start=month.start,
                                           text=form.cleaned_data["text"])
            messages.success(request, _("Your note is added to %(month)s.") % {"month": presenters.month_label(month)})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Write a note first."))
    return redirect(reverse("kpis:kpi_detail", kwargs={"org_slug": org_slug, "kpi_slug": kpi.slug}) + "#notes")


@require_POST
@require_capability("kpis.edit")
def kpi_delete(request, org_slug, kpi_slug):
    """Deletes a custom KPI (the engine refuses built-in ones and KPIs another formula reads)."""
    kpi = _visible_kpi(request, kpi_slug)
    try:
        services.kpi_delete(kpi=kpi, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("kpis:kpi_edit", org_slug=org_slug, kpi_slug=kpi.slug)
    messages.success(request, _("“%(name)s” is deleted.") % {"name": kpi.name})
    return redirect("kpis:catalogue", org_slug=org_slug)
