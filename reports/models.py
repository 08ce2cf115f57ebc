"""Scheduled role digests, the archive of what was sent, and each organization's branding."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import OrgOwned

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Enter a colour as #RRGGBB."), code="colour")


def _logo_path(branding: Branding, filename: str) -> str:
    return f"branding/{branding.organization_id}/logo.png"  # always re-encoded to PNG (reports.branding)


def _pdf_path(report: SentReport, filename: str) -> str:
    return f"reports/{report.organization_id}/{report.period_key}/{report.pk or 'new'}-{filename}"


class Branding(OrgOwned):
    """The name, logo and colours an organization's reports carry (a consultancy's carry its own)."""

    display_name = models.CharField(_("name shown on reports"), max_length=150, blank=True)
    logo = models.ImageField(_("logo"), upload_to=_logo_path, blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#1f3a5f",
                                      validators=[validate_hex_colour])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#d9822b",
                                     validators=[validate_hex_colour])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="branding_one_per_org")]


class ReportSchedule(OrgOwned):
    """A role digest sent weekly or monthly, at a day and hour of a time zone, to members or roles; or a team
    dashboard's digest, sent to those the dashboard is shared with."""

    class Kind(models.TextChoices):
        CEO = "ceo", _("CEO synthesis")
        CFO = "cfo", _("CFO costs and margins")
        COO = "coo", _("COO operations")
        CRO = "cro", _("CRO revenue")
        CMO = "cmo", _("CMO marketing")
        CXO = "cxo", _("CXO customer experience")
        TEAM = "team", _("Team dashboard")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    kind = models.CharField(_("digest"), max_length=10, choices=Kind.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    # Weekly: ISO weekday 1 (Monday)–7; monthly: day of the month 1–28 (every month has it).
    day = models.PositiveSmallIntegerField(_("day"), default=1)
    hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Paris")
    members = models.ManyToManyField("accounts.Membership", blank=True, related_name="+",
                                     verbose_name=_("members"))
    roles = models.JSONField(_("roles"), default=list, blank=True)  # Role values: every member holding one
    # Set when a consultancy set the schedule up for its client: its reports carry the consultancy's branding.
    consultancy = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # A team-dashboard digest: the dashboard's tiles and trends, to its shared members and roles and its owner.
    dashboard = models.ForeignKey("dashboards.Dashboard", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("team dashboard"))
    # Memberships that followed an e-mail's unsubscribe link: never sent this schedule again, even when one of
    # its roles names them (ids on the row rather than a link table: no tenant-less table to guard).
    unsubscribed = models.JSONField(default=list, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "frequency", "id"]
        indexes = [models.Index(fields=["organization", "is_enabled"], name="reportschedule_org_idx")]

    def __str__(self) -> str:
        what = self.dashboard.name if self.dashboard_id else self.get_kind_display()
        return f"{what} · {self.get_frequency_display()}"

    def clean(self) -> None:
        top = 7 if self.frequency == self.Frequency.WEEKLY else 28
        if not 1 <= (self.day or 0) <= top:
            raise ValidationError({"day": _("Choose a day between 1 and %(top)s.") % {"top": top}})
        if not 0 <= (self.hour if self.hour is not None else -1) <= 23:
            raise ValidationError({"hour": _("Choose an hour between 0 and 23.")})
        if any(r not in Role.values for r in self.roles or []):
            raise ValidationError({"roles": _("Unknown role.")})


class SentReport(OrgOwned):
    """One digest for one recipient and one period: claimed once (unique key), then sent or failed."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    schedule = models.ForeignKey(ReportSchedule, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="sent_reports")
    kind = models.CharField(max_length=10, choices=ReportSchedule.Kind.choices)
    recipient = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    recipient_email = models.EmailField()
    recipient_role = models.CharField(max_length=20, choices=Role.choices)  # what the content was cut for
    language = models.CharField(max_length=10)
    # "2026-11" (monthly), "2026-W48" (weekly), "preview-<timestamp>" for a preview sent on demand.
    period_key = models.CharField(max_length=40)
    frequency = models.CharField(max_length=10, choices=ReportSchedule.Frequency.choices,
                                 default=ReportSchedule.Frequency.MONTHLY)
    period_start = models.DateField()
    period_end = models.DateField()
    is_preview = models.BooleanField(default=False)
    branded_by = models.CharField(max_length=150, blank=True)  # the name the report carried
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    error = models.CharField(max_length=500, blank=True)
    # A temporary failure (SMTP 4xx, connection, provider error) is tried again from `next_attempt_at` by a
    # later beat, up to REPORTS_RETRY_DELAYS; a permanent refusal (SMTP 5xx) leaves it null.
    attempts = models.PositiveSmallIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=_pdf_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # a claim older than REPORTS_CLAIM_STALE_SECONDS is taken over
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The "exactly once": a second beat or a retried task inserts nothing and sends nothing.
            models.UniqueConstraint(fields=["organization", "schedule", "recipient_email", "period_key"],
                                    name="sentreport_once_per_period"),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="sentreport_org_created_idx"),
                   models.Index(fields=["organization", "next_attempt_at"], name="sentreport_org_retry_idx",
                                condition=models.Q(next_attempt_at__isnull=False))]
