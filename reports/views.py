"""Report pages: schedules, preview (page, PDF, "send me a preview now"), the archive, branding, the
consultancy's run over its clients, and the review pack."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from accounts.models import Membership
from accounts.rls import org_context
from accounts.services import user_email_language_set
from alerts.notifications import recipient_token_read
from objectives.models import Review
from reports import selectors, services
from reports.forms import ROLE_DIGESTS, BrandingForm, LanguageForm, PreviewForm, ScheduleForm
from reports.models import ReportSchedule
from reports.rendering import digest_render
from reports.schedule import last_complete_period

ARCHIVE_ROWS = 100


def _pdf(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _default_kind(membership) -> str:
    roles = {k for k, _label in ROLE_DIGESTS}
    return membership.role if membership.role in roles else ReportSchedule.Kind.CEO


@require_capability("reports.view")
def report_home(request, org_slug):
    org, member = request.org, request.membership
    return render(request, "reports/home.html", {
        "schedules": list(selectors.schedules_of(org)) if member.can("reports.manage") else [],
        "can_manage": member.can("reports.manage"),
        "preview_form": PreviewForm(initial={"kind": _default_kind(member)}),
        "language_form": LanguageForm(initial={"language": selectors.language_of(member)}),
        "clients": selectors.firm_clients(org) if org.is_consultancy else [],
    })


def _schedule_form(request, schedule: ReportSchedule | None):
    org = request.org
    initial = None
    if schedule is not None:
        initial = {"kind": schedule.kind, "frequency": schedule.frequency, "day": schedule.day, "hour": schedule.hour,
                   "time_zone": schedule.time_zone, "roles": schedule.roles, "members": list(schedule.members.all()),
                   "consultancy": schedule.consultancy, "dashboard": schedule.dashboard,
                   "is_enabled": schedule.is_enabled}
    form = ScheduleForm(request.POST or None, org=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.schedule_save(
                by=request.membership, org=org, schedule=schedule, kind=d["kind"], frequency=d["frequency"],
                day=d["day"], hour=d["hour"], time_zone=d["time_zone"], roles=d["roles"],
                members=list(d["members"]), is_enabled=d["is_enabled"], consultancy=d["consultancy"],
                dashboard=d["dashboard"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The schedule is saved."))
            return redirect("reports:report_home", org_slug=org.slug)
    return render(request, "reports/schedule_form.html", {"form": form, "schedule": schedule})


@require_capability("reports.manage")
def schedule_create(request, org_slug):
    return _schedule_form(request, None)


@require_capability("reports.manage")
def schedule_edit(request, org_slug, schedule_id):
    return _schedule_form(request, get_object_or_404(ReportSchedule.objects.for_org(request.org), pk=schedule_id))


@require_POST
@require_capability("reports.manage")
def schedule_delete(request, org_slug, schedule_id):
    schedule = get_object_or_404(ReportSchedule.objects.for_org(request.org), pk=schedule_id)
    services.schedule_delete(schedule=schedule, by=request.membership)
    messages.success(request, _("The schedule is deleted; the reports it sent stay in the archive."))
    return redirect("reports:report_home", org_slug=org_slug)


def _preview_digest(request, *, with_charts: bool = True):
    form = PreviewForm(request.GET or {"kind": _default_kind(request.membership), "frequency": "monthly"})
    if not form.is_valid():
        raise Http404
    period = last_complete_period(form.cleaned_data["frequency"], today=timezone.localdate())
    brand = selectors.brand_for(request.org)
    digest = selectors.digest_for(request.membership, kind=form.cleaned_data["kind"], period=period, brand=brand,
                                  with_charts=with_charts)
    return form, digest


@require_capability("reports.view")
def preview(request, org_slug):
    form, digest = _preview_digest(request)
    return render(request, "reports/preview.html", {"form": form, "digest": digest})


@require_capability("reports.view")
def preview_pdf(request, org_slug):
    _form, digest = _preview_digest(request)
    rendered = digest_render(digest, recipient=request.membership)
    return _pdf(rendered.pdf, rendered.filename)


@require_POST
@require_capability("reports.view")
def preview_send(request, org_slug):
    form = PreviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a report and a frequency."))
        return redirect("reports:report_home", org_slug=org_slug)
    services.report_preview_request(member=request.membership, kind=form.cleaned_data["kind"],
                                    frequency=form.cleaned_data["frequency"])
    messages.success(request, _("A preview is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("reports:archive", org_slug=org_slug)


@require_capability("reports.view")
def archive(request, org_slug):
    reports = selectors.sent_reports_visible_to(request.membership)[:ARCHIVE_ROWS]
    return render(request, "reports/archive.html", {"reports": reports})


@require_capability("reports.view")
def sent_report_pdf(request, org_slug, sent_report_id):
    report = get_object_or_404(selectors.sent_reports_visible_to(request.membership), pk=sent_report_id)
    if not report.pdf:
        raise Http404
    with report.pdf.open("rb") as f:
        return _pdf(f.read(), report.pdf.name.rsplit("/", 1)[-1])


@require_POST
@require_capability("reports.view")
def language_set(request, org_slug):
    form = LanguageForm(request.POST)
    if form.is_valid():
        user_email_language_set(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Your e-mails will come in this language."))
    return redirect("reports:report_home", org_slug=org_slug)


@require_capability("reports.manage")
def branding(request, org_slug):
    current = selectors.branding_of(request.org)
    initial = {"display_name": current.display_name, "primary_colour": current.primary_colour,
               "accent_colour": current.accent_colour} if current else None
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.branding_update(org=request.org, by=request.membership, display_name=d["display_name"],
                                     primary_colour=d["primary_colour"], accent_colour=d["accent_colour"],
                                     logo=d["logo"], remove_logo=d["remove_logo"])
        except ValidationError as exc:
            form.add_error("logo" if exc.code in {"too_large", "svg", "format", "pixels", "small", "unreadable"}
                           else None, exc)
        else:
            messages.success(request, _("The branding is saved: the next reports carry it."))
            return redirect("reports:branding", org_slug=org_slug)
    return render(request, "reports/branding.html", {"form": form, "branding": current,
                                                     "brand": selectors.brand_for(request.org)})


@require_POST
@require_capability("reports.manage")
def clients_send(request, org_slug):
    if not request.org.is_consultancy:
        raise Http404
    count = services.consultancy_reports_send(firm=request.org, by=request.membership)
    messages.success(request, _("%(count)s client schedules are being sent with your branding.") % {"count": count})
    return redirect("reports:report_home", org_slug=org_slug)


@require_capability("reviews.view")
def review_pack_pdf(request, org_slug, review_id):
    review = get_object_or_404(Review.objects.for_org(request.org), pk=review_id)
    return _pdf(services.review_pack_pdf(review=review), f"review-{review.held_on.isoformat()}-{review.pk}.pdf")


@require_POST
@require_capability("reviews.manage")
def review_pack_send(request, org_slug, review_id):
    from reports.tasks import review_pack_send_task

    review = get_object_or_404(Review.objects.for_org(request.org), pk=review_id)
    transaction.on_commit(lambda: services.enqueue(review_pack_send_task, review.pk))
    messages.success(request, _("The review pack is on its way to the participants."))
    return redirect("objectives:review_detail", org_slug=org_slug, review_id=review.pk)


@csrf_exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the authority
def unsubscribe(request, token):
    """The link of every scheduled report's e-mail: GET asks, POST stops that schedule for that recipient."""
    found = recipient_token_read(token, scope=services.UNSUBSCRIBE_SCOPE)
    if found is None or found[2] is None:
        raise Http404
    org_id, membership_id, schedule_id = found
    with org_context(org_id):
        membership = Membership.objects.filter(organization_id=org_id, pk=membership_id).select_related(  # scoped: by the signed token's org
            "organization", "user").first()
        schedule = ReportSchedule.objects.filter(organization_id=org_id, pk=schedule_id).select_related(  # scoped: by the signed token's org
            "dashboard").first()
        if membership is None or schedule is None:
            raise Http404
        done = request.method == "POST"
        if done:
            services.schedule_unsubscribe(schedule=schedule, membership=membership)
        return render(request, "reports/unsubscribe.html", {"target": membership, "schedule": schedule,
                                                            "done": done})
