"""Writes of the reports app: schedules, branding, and sending each report exactly once.

"Exactly once" (QUALITY.md, Background jobs): a (schedule, recipient, period) is claimed by inserting its
SentReport under a unique key before anything is rendered or sent. A second beat, or a retried task,
finds the row and sends nothing; a claim whose worker died (still "claimed" after
REPORTS_CLAIM_STALE_SECONDS) is taken over by a conditional update, so it is sent once rather than never.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta
from email.mime.image import MIMEImage

from anymail.exceptions import AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Engagement, Membership, Organization
from alerts.notifications import recipient_token, unsubscribe_headers
from reports import selectors
from reports.branding import BrandView, logo_clean
from reports.models import Branding, ReportSchedule, SentReport
from reports.rendering import digest_render, review_pack_render
from reports.schedule import ReportPeriod, due_period, last_complete_period, month_period, week_period

log = logging.getLogger(__name__)

# What a refused or bounced message raises, whichever backend sends it: the report is marked failed.
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)
# After a temporary failure, the report is tried again this long after each failed attempt: 4 attempts in all.
RETRY_DELAYS = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4))


def is_temporary(exc: BaseException) -> bool:
    """Worth trying again: an SMTP 4xx, a dropped or refused connection, a provider's error. Not: an SMTP 5xx
    (the recipient or the message is refused for good) or a provider refusing the address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return not isinstance(exc, AnymailRecipientsRefused | AnymailInvalidAddress)


def _require(by: Membership, capability: str) -> None:
    if not by.can(capability):
        raise PermissionDenied(_("Your role may not manage reports."))


# --- schedules and branding ----------------------------------------------------------------------


@transaction.atomic
def schedule_save(*, by: Membership, org: Organization, schedule: ReportSchedule | None = None, kind: str,
                  frequency: str, day: int, hour: int, time_zone: str, roles: list[str],
                  members: list[Membership], is_enabled: bool = True,
                  consultancy: Organization | None = None, dashboard=None) -> ReportSchedule:
    """Create or change a schedule; recipients are members of `org` or roles of it. `consultancy` (one engaged
    on the company) sends it with its own branding. A team-dashboard schedule names the `dashboard` (of `org`)
    and goes to those it is shared with, so it names no roles or members of its own."""
    if by.organization_id != org.pk:
        raise PermissionDenied(_("Your role may not manage reports."))
    _require(by, "reports.manage")
    if consultancy is not None and not Engagement.objects.for_org(org).filter(consultancy=consultancy).exists():
        raise ValidationError({"consultancy": _("Only a consultancy engaged on this company can send its reports.")})
    if any(m.organization_id != org.pk for m in members):
        raise ValidationError({"members": _("Recipients must be members of this company.")})
    if kind == ReportSchedule.Kind.TEAM:
        if dashboard is None or dashboard.organization_id != org.pk:
            raise ValidationError({"dashboard": _("Choose a team dashboard of this company.")})
        roles, members = [], []
    else:
        dashboard = None
    from reports.schedule import zone

    if zone(time_zone).key != time_zone:
        raise ValidationError({"time_zone": _("Unknown time zone.")})
    creating = schedule is None
    schedule = schedule or ReportSchedule(organization=org)
    schedule.kind, schedule.frequency, schedule.day, schedule.hour = kind, frequency, day, hour
    schedule.time_zone, schedule.roles, schedule.is_enabled = time_zone, sorted(set(roles)), is_enabled
    schedule.consultancy, schedule.dashboard = consultancy, dashboard
    schedule.full_clean(exclude=["organization", "consultancy", "dashboard"])
    schedule.save()
    schedule.members.set(members)
    audit_log_record(org=org, actor=by.user, action="report_schedule.created" if creating else "report_schedule.updated",
                     target=schedule, data={"kind": kind, "frequency": frequency, "roles": schedule.roles,
                                            "dashboard": schedule.dashboard_id})
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: ReportSchedule, by: Membership) -> None:
    _require(by, "reports.manage")
    audit_log_record(org=schedule.organization, actor=by.user, action="report_schedule.deleted", target=schedule)
    schedule.delete()  # the archive keeps its sent reports (schedule set to null)


@transaction.atomic
def branding_update(*, org: Organization, by: Membership, display_name: str, primary_colour: str,
                    accent_colour: str, logo=None, remove_logo: bool = False) -> Branding:
    """Set the name, colours and logo the organization's reports carry; the logo is re-encoded (branding.py)."""
    _require(by, "reports.manage")
    clean_logo = logo_clean(logo) if logo is not None else None  # refused before anything is written
    branding = Branding.objects.for_org(org).first() or Branding(organization=org)
    branding.display_name, branding.primary_colour, branding.accent_colour = display_name, primary_colour, accent_colour
    branding.full_clean(exclude=["organization", "logo"])
    if clean_logo is not None:
        branding.logo.save("logo.png", clean_logo, save=False)
    elif remove_logo and branding.logo:
        branding.logo.delete(save=False)
        branding.logo = ""
    branding.save()
    audit_log_record(org=org, actor=by.user, action="branding.updated", target=branding,
                     data={"logo": bool(branding.logo)})
    return branding


# --- unsubscribing (the signed link of every scheduled report's e-mail; alerts' mechanism) ---------------

UNSUBSCRIBE_SCOPE = "reports"


def unsubscribe_url(recipient: Membership, schedule: ReportSchedule) -> str:
    token = recipient_token(recipient, scope=UNSUBSCRIBE_SCOPE, target=schedule.pk)
    return settings.SITE_URL + reverse("reports_unsubscribe", kwargs={"token": token})


def schedule_unsubscribe(*, schedule: ReportSchedule, membership: Membership) -> None:
    """That recipient no longer gets that schedule, even through one of its roles; the others still do."""
    if membership.organization_id != schedule.organization_id:
        raise PermissionDenied
    with transaction.atomic():
        schedule = ReportSchedule.objects.for_org(schedule.organization).select_for_update().get(pk=schedule.pk)
        if membership.pk not in schedule.unsubscribed:
            schedule.unsubscribed = [*schedule.unsubscribed, membership.pk]
            schedule.save(update_fields=["unsubscribed"])
        schedule.members.remove(membership)
        audit_log_record(org=schedule.organization, actor=membership.user, action="report_schedule.unsubscribed",
                         target=schedule, data={"membership": membership.pk})


# --- claiming and sending -----------------------------------------------------------------------


def period_from_key(key: str) -> ReportPeriod:
    if "-W" in key:
        year, week = key.split("-W")
        return week_period(date.fromisocalendar(int(year), int(week), 1))
    year, month = key.split("-")
    return month_period(date(int(year), int(month), 1))


def report_claim(*, schedule: ReportSchedule | None, kind: str, recipient: Membership, period: ReportPeriod,
                 period_key: str | None = None, is_preview: bool = False) -> SentReport | None:
    """Insert the report's row, or take over a stale claim; None when someone else has it (or sent it)."""
    org = recipient.organization
    key = period_key or period.key
    now = timezone.now()
    try:
        with transaction.atomic():
            return SentReport.objects.create(
                organization=org, schedule=schedule, kind=kind, recipient=recipient,
                recipient_email=recipient.user.email, recipient_role=recipient.role,
                language=selectors.language_of(recipient), period_key=key, frequency=period.frequency,
                period_start=period.start,
                period_end=period.end, is_preview=is_preview, claimed_at=now)
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=settings.REPORTS_CLAIM_STALE_SECONDS)
    rows = SentReport.objects.for_org(org).filter(schedule=schedule, recipient_email=recipient.user.email,
                                                  period_key=key)
    if rows.filter(status=SentReport.Status.CLAIMED, claimed_at__lt=stale).update(claimed_at=now):
        return rows.first()
    return None


def report_deliver(*, report: SentReport, brand: BrandView | None = None) -> SentReport:
    """Render the claimed report in its recipient's language, keep its PDF, e-mail it. A refused or bounced
    message marks it failed (with the reason) and never raises: the rest of the run goes on."""
    recipient = report.recipient
    if recipient is None or report.status == SentReport.Status.SENT:
        return report
    org = report.organization
    brand = brand or selectors.brand_for(org, schedule=report.schedule)
    # A preview's row has its own key; the period it covers is the month or week of its dates.
    period = (week_period if report.frequency == "weekly" else month_period)(report.period_start)
    with translation.override(report.language):
        dashboard = report.schedule.dashboard if report.schedule_id else None
        digest = selectors.digest_for(recipient, kind=report.kind, period=period, brand=brand, dashboard=dashboard)
        archive = settings.SITE_URL + reverse("reports:archive", kwargs={"org_slug": org.slug})
        # A preview was asked for, once: only a schedule's e-mails carry the link.
        unsubscribe = unsubscribe_url(recipient, report.schedule) if report.schedule_id else ""
        rendered = digest_render(digest, recipient=recipient, archive_url=archive, unsubscribe_url=unsubscribe)
    if report.pdf:
        report.pdf.delete(save=False)  # an earlier attempt's
    report.pdf.save(rendered.filename, ContentFile(rendered.pdf), save=False)
    report.subject, report.branded_by = rendered.subject[:255], brand.name[:150]
    try:
        _email(to=report.recipient_email, rendered=rendered, brand=brand,
               headers=unsubscribe_headers(unsubscribe) if unsubscribe else None)
    except SEND_ERRORS as exc:
        retry = is_temporary(exc) and report.attempts <= len(RETRY_DELAYS)
        log.warning("Report %s to %s not sent (attempt %s%s): %s", report.pk, report.recipient_email,
                    report.attempts, ", will retry" if retry else "", exc)
        report.status, report.error = SentReport.Status.FAILED, str(exc)[:500] or exc.__class__.__name__
        report.next_attempt_at = timezone.now() + RETRY_DELAYS[report.attempts - 1] if retry else None
    else:
        report.status, report.sent_at, report.error = SentReport.Status.SENT, timezone.now(), ""
        report.next_attempt_at = None
    report.save(update_fields=["pdf", "subject", "branded_by", "status", "sent_at", "error", "next_attempt_at"])
    return report


def reports_retry_due(*, org: Organization, now: datetime) -> list[int]:
    """The organization's failed reports whose next attempt has come (beat queues one task each)."""
    return list(SentReport.objects.for_org(org).filter(status=SentReport.Status.FAILED, next_attempt_at__lte=now)
                .values_list("pk", flat=True))


def report_retry(*, org: Organization, report_id: int) -> SentReport | None:
    """Claim a due retry by a conditional update (two beats or a redelivered task: one wins), then send it.
    A schedule paused, deleted or unsubscribed from since then is not retried."""
    now = timezone.now()
    rows = SentReport.objects.for_org(org).filter(pk=report_id)
    if not rows.filter(status=SentReport.Status.FAILED, next_attempt_at__lte=now).update(
            status=SentReport.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=None):
        return None
    report = rows.select_related("organization", "recipient__user", "recipient__organization",
                                 "schedule__dashboard", "schedule__consultancy").get()
    schedule = report.schedule
    if report.recipient is None or (not report.is_preview and (
            schedule is None or not schedule.is_enabled or report.recipient_id in schedule.unsubscribed)):
        rows.update(status=SentReport.Status.FAILED)
        return None
    return report_deliver(report=report)


def _email(*, to: str, rendered, brand: BrandView, headers: dict | None = None) -> None:
    message = EmailMultiAlternatives(rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [to],
                                     headers=headers)
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
        if brand.logo_png:
            logo = MIMEImage(brand.logo_png, "png")
            logo.add_header("Content-ID", "<logo>")
            logo.add_header("Content-Disposition", "inline", filename="logo.png")
            message.attach(logo)
    message.attach(rendered.filename, rendered.pdf, "application/pdf")
    message.send()


def schedule_deliver(*, schedule: ReportSchedule, period: ReportPeriod) -> int:
    """Claim and send the period's report to each recipient of the schedule; returns how many this call sent."""
    brand = selectors.brand_for(schedule.organization, schedule=schedule)
    sent = 0
    for recipient in selectors.recipients_of(schedule):
        report = report_claim(schedule=schedule, kind=schedule.kind, recipient=recipient, period=period)
        if report is None:
            continue
        sent += report_deliver(report=report, brand=brand).status == SentReport.Status.SENT
    return sent


def reports_due(*, org: Organization, now: datetime) -> list[tuple[ReportSchedule, ReportPeriod]]:
    """The organization's enabled schedules that are due at `now` and still miss a recipient's report."""
    due = []
    for schedule in selectors.schedules_of(org).filter(is_enabled=True):
        period = due_period(frequency=schedule.frequency, day=schedule.day, hour=schedule.hour,
                            time_zone=schedule.time_zone, now=now)
        if period is None:
            continue
        done = set(SentReport.objects.for_org(org).filter(schedule=schedule, period_key=period.key)
                   .values_list("recipient_email", flat=True))
        if any(m.user.email not in done for m in selectors.recipients_of(schedule)):
            due.append((schedule, period))
    return due


def enqueue(task, *args) -> bool:
    """Queue a task; False when the broker cannot be reached (the caller says so instead of a 500)."""
    try:
        task.delay(*args)
    except Exception as exc:  # kombu raises several kinds while Redis is down
        log.warning("Could not queue %s%s: %s", task.name, args, exc)
        return False
    return True


def report_preview_request(*, member: Membership, kind: str, frequency: str) -> SentReport:
    """A preview of `kind` over the last complete period, e-mailed to the member now (and archived)."""
    if (kind not in ReportSchedule.Kind.values or kind == ReportSchedule.Kind.TEAM
            or frequency not in ReportSchedule.Frequency.values):
        raise ValidationError(_("Choose a report and a frequency."))
    period = last_complete_period(frequency, today=timezone.localdate())
    key = f"preview-{timezone.now():%Y%m%d%H%M%S%f}"
    report = report_claim(schedule=None, kind=kind, recipient=member, period=period, period_key=key,
                          is_preview=True)
    from reports.tasks import report_deliver_task

    def send() -> None:
        if not enqueue(report_deliver_task, report.pk):
            SentReport.objects.for_org(member.organization).filter(pk=report.pk).update(
                status=SentReport.Status.FAILED, error=_("The task queue is unavailable: try again later."))

    transaction.on_commit(send)
    return report


def consultancy_reports_send(*, firm: Organization, by: Membership) -> int:
    """The consultancy's "send every client's report" run: each engaged client's schedules the consultancy
    set up, for their last complete period, with the consultancy's branding; returns the schedules queued."""
    from accounts.rls import org_context
    from reports.tasks import schedule_deliver_task

    if not firm.is_consultancy or by.organization_id != firm.pk:
        raise PermissionDenied(_("Only a consultancy sends its clients' reports."))
    _require(by, "reports.manage")
    queued = []
    today = timezone.localdate()
    for client in selectors.firm_clients(firm):
        with org_context(client):
            for schedule in ReportSchedule.objects.for_org(client).filter(consultancy=firm, is_enabled=True):
                queued.append((schedule.pk, last_complete_period(schedule.frequency, today=today).key))
    audit_log_record(org=firm, actor=by.user, action="reports.clients_sent", data={"schedules": len(queued)})
    transaction.on_commit(lambda: [enqueue(schedule_deliver_task, pk, key) for pk, key in queued])
    return len(queued)


# --- review packs --------------------------------------------------------------------------------


def review_pack_pdf(*, review) -> bytes:
    """The review's pack as a PDF, in the active language, with the company's branding."""
    brand = selectors.brand_for(review.organization)
    return review_pack_render(selectors.review_pack_of(review), brand=brand).pdf


def review_pack_send(*, review) -> int:
    """E-mail the pack to each participant, in their language; returns how many messages went out."""
    pack = selectors.review_pack_of(review)
    brand = selectors.brand_for(review.organization)
    sent = 0
    for participant in pack["participants"]:
        with translation.override(selectors.language_of(participant)):
            rendered = review_pack_render(pack, brand=brand, recipient_name=participant.user.display_name)
        try:
            _email(to=participant.user.email, rendered=rendered, brand=brand)
        except SEND_ERRORS as exc:
            log.warning("Review pack %s to %s not sent: %s", review.pk, participant.user.email, exc)
            continue
        sent += 1
    return sent
