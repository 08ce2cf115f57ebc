"""The imports page: upload, check the mapping and every rejected row, confirm, follow the progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from imports import selectors, services
from imports.files_out import rejected_rows_csv, template_csv
from imports.forms import MappingForm, UploadForm
from imports.messages import column_label, refusal_message, row_message
from imports.models import ImportRun
from imports.registry import KINDS, all_kinds, kind_class


def _run(request, run_id: int) -> ImportRun:
    """The run, if the member may import its kind (a budget's preview shows amounts of cost lines)."""
    run = get_object_or_404(ImportRun.objects.for_org(request.org), pk=run_id)
    if not request.membership.can(kind_class(run.kind).capability):
        raise PermissionDenied
    return run


def _detail(request, run: ImportRun):
    return redirect("imports:import_run_detail", org_slug=request.org.slug, run_id=run.pk)


@require_capability("imports.manage")
def import_list(request, org_slug):
    fmt = export_format(request)
    if fmt:
        return table_download(fmt=fmt, filename=f"{request.org.slug}-imports", header=[
            _("File"), _("Record type"), _("State"), _("Rows"), _("Rejected"), _("Created"), _("Updated"),
            _("By"), _("When"), "SHA-256"], rows=(
            [r.file_name, r.kind_label, r.get_state_display(), r.rows_total, r.rows_rejected,
             (r.counts or {}).get("created"), (r.counts or {}).get("updated"),
             r.created_by.user.display_name if r.created_by else "", r.created_at, r.file_sha256]
            for r in selectors.import_runs_for(request.org, limit=10_000)))
    form = UploadForm(request.POST or None, request.FILES or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_run_create(org=request.org, by=request.membership, kind=form.cleaned_data["kind"],
                                             file_name=upload.name, content=upload.read())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _detail(request, run)
    return render(request, "imports/import_list.html", {
        "form": form, "runs": selectors.import_runs_for(request.org), "kinds": all_kinds(request.membership),
        "max_mb": settings.IMPORTS_MAX_BYTES // 1_000_000, "max_rows": settings.IMPORTS_MAX_ROWS,
    })


@require_capability("imports.manage")
def import_run_detail(request, org_slug, run_id):
    run = _run(request, run_id)
    kind = kind_class(run.kind)
    labels, preview = selectors.preview_rows(run)
    context = {
        "run": run, "kind": kind, "preview_labels": labels, "preview": preview,
        "writing": selectors.import_write_progress(run),
        "refusal": refusal_message(run),
        "errors": [{"row": e["row"], "column": column_label(run, e["column"]), "value": e["value"],
                    "message": row_message(e)} for e in run.errors],
        "mapping_form": MappingForm(kind=kind, header=run.header, mapping=run.mapping) if run.header else None,
    }
    template = "imports/partials/import_run_status.html" if request.htmx else "imports/import_run_detail.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@require_POST
@require_capability("imports.manage")
def import_run_mapping(request, org_slug, run_id):
    run = _run(request, run_id)
    form = MappingForm(request.POST, kind=kind_class(run.kind), header=run.header, mapping=run.mapping)
    if form.is_valid():
        try:
            services.import_run_remap(run=run, mapping={k: v for k, v in form.cleaned_data.items() if v},
                                      by=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Every required column must be matched."))
    return _detail(request, run)


@require_POST
@require_capability("imports.manage")
def import_run_confirm(request, org_slug, run_id):
    run = _run(request, run_id)
    try:
        services.import_run_confirm(run=run, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _detail(request, run)


@require_POST
@require_capability("imports.manage")
def import_run_cancel(request, org_slug, run_id):
    run = services.import_run_cancel(run=_run(request, run_id), by=request.membership)
    return _detail(request, run)


@require_capability("imports.manage")
def import_run_rejected(request, org_slug, run_id):
    run = _run(request, run_id)
    if not run.rows_rejected or not run.content:
        raise Http404
    response = HttpResponse(rejected_rows_csv(run), content_type="text/csv; charset=utf-8")
    stem = run.file_name.rsplit(".", 1)[0][:80] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-rejected.csv"'
    return response


@require_capability("imports.manage")
def import_template(request, org_slug):
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        raise Http404
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pilotage-{kind}-template.csv"'
    return response


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_ ") else "_" for c in text)
