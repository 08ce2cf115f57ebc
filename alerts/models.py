"""Alert rules, the alerts they raise, their history, and each member's e-mail choice."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import OrgOwned
from config.limits import TEXT_MAX_LENGTH


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlertRule(OrgOwned):
    """One configured check of one kind (`alerts/rules/<kind>.py`) with its parameters.

    Subscribers receive its alerts by e-mail (each as their own preference says): the members named
    here and every member holding one of `subscriber_roles`, as long as they may see the figure.
    """

    kind = models.CharField(_("kind"), max_length=40)
    name = models.CharField(_("name"), max_length=150)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    is_enabled = models.BooleanField(pgettext_lazy("alert rule", "enabled"), default=True)
    subscriber_roles = models.JSONField(_("roles notified"), default=list, blank=True)
    subscribers = models.ManyToManyField("accounts.Membership", blank=True, related_name="+",
                                         verbose_name=_("members notified"))
    is_default = models.BooleanField(default=False)  # installed with the catalogue
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "kind"], name="alertrule_org_kind_idx")]
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """A default rule is named by its kind, in the reader's language; a rule someone named keeps its name."""
        from alerts.rules.registry import RULES, rule_class

        if self.is_default and self.kind in RULES:
            return str(rule_class(self.kind).label)
        return self.name


class Alert(OrgOwned):
    """What a rule found about one subject (a KPI, a customer, a connection, an objective).

    One alert per rule and subject is live (open, acknowledged or snoozed) at a time: a database
    constraint, so two evaluations running together cannot both open it. Message texts are rendered
    from `params` at display time, in the reader's language (the rule's `message`).
    `audience` lists the roles that may see the figure (",ceo,cfo,"): computed from the data behind the
    alert when it is evaluated, so the bell and the list filter it in the same single query.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        SNOOZED = "snoozed", _("Snoozed")
        RESOLVED = "resolved", _("Resolved")

    LIVE = (Status.OPEN, Status.ACKNOWLEDGED, Status.SNOOZED)

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=40)  # the rule's kind, copied: the list filters on it
    subject_key = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    figure = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    threshold = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True)  # the page of the records behind the alert
    audience = models.CharField(max_length=200, default="")
    kpi = models.ForeignKey("kpis.Kpi", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey("objectives.Objective", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()  # the last evaluation that still found it
    resolved_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)  # immediate e-mails claimed

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule", "subject_key"],
                                    condition=Q(status__in=["open", "acknowledged", "snoozed"]),
                                    name="alert_one_live_per_rule_subject"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-opened_at"], name="alert_org_status_idx"),
            models.Index(fields=["organization", "kpi"], name="alert_org_kpi_idx"),
        ]
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class AlertEvent(OrgOwned):
    """The history of an alert: who did what, when, and what they said."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        COMMENTED = "commented", _("Commented")
        SNOOZED = "snoozed", _("Snoozed")
        REOPENED = "reopened", _("Reopened")
        RESOLVED = "resolved", _("Resolved by hand")
        RESOLVED_AUTO = "resolved_auto", _("Resolved by itself")
        NOTIFIED = "notified", _("E-mailed")
        NOTIFY_FAILED = "notify_failed", _("E-mail failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    comment = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "alert", "created_at"], name="alertevent_org_alert_idx")]
        ordering = ["created_at", "id"]


class AlertPreference(OrgOwned):
    """How one member of one organization hears about alerts by e-mail (in their `User.language`)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("Daily digest")
        OFF = "off", _("Off")

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    digest_sent_on = models.DateField(null=True, blank=True)  # claimed before the day's digest is sent
    digest_covered_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "membership"], name="alertpref_uniq")]
