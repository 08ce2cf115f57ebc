"""The cascade: objectives with key results on live KPIs, action plans, check-ins, reviews and templates.

Every row carries `organization`, copied by the services from its parent (a test checks they agree).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import OrgOwned
from config.limits import TEXT_MAX_LENGTH

VALUE = {"max_digits": 18, "decimal_places": 4}


class Objective(OrgOwned):
    class Kind(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        FINANCIAL = "financial", _("Financial")
        COMMERCIAL = "commercial", _("Commercial")
        OPERATIONAL = "operational", _("Operational")

    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")
        CUSTOM = "custom", _("Custom dates")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(_("start"))
    period_end = models.DateField(_("end"))
    owner = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_objectives", verbose_name=_("owner"))
    owner_role = models.CharField(_("acting as"), max_length=20, choices=Role.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               verbose_name=_("parent objective"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    weight = models.PositiveSmallIntegerField(_("weight in the parent's progress"), default=1)
    check_in_every_days = models.PositiveSmallIntegerField(_("check-in every (days)"), default=7)
    team = models.CharField(_("team"), max_length=80, blank=True)
    # The day the owner was last reminded of a due check-in: one reminder a day at most.
    check_in_reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_start", "id"]
        indexes = [models.Index(fields=["organization", "period_start", "period_end"], name="objective_org_period_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="objective_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class KeyResult(OrgOwned):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase (higher is better)")
        DECREASE = "decrease", _("Decrease (lower is better)")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(_("title"), max_length=200)
    # A KPI removed from the catalogue leaves its key results without data, rather than deleting them.
    kpi = models.ForeignKey("kpis.Kpi", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name=_("KPI"))
    dimension_value = models.CharField(_("dimension value"), max_length=120, blank=True)
    start_value = models.DecimalField(_("start value"), **VALUE)
    target_value = models.DecimalField(_("target"), **VALUE)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    is_manual = models.BooleanField(_("manual (value typed by hand)"), default=False)
    manual_value = models.DecimalField(_("current value"), null=True, blank=True, **VALUE)
    manual_value_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "objective"], name="keyresult_org_objective_idx")]

    def __str__(self) -> str:
        return self.title


class ActionPlan(OrgOwned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="action_plans")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="action_plans", verbose_name=_("owner"))
    team = models.CharField(_("team"), max_length=80, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    key_results = models.ManyToManyField(KeyResult, blank=True, related_name="action_plans",
                                         verbose_name=_("key results it serves"))
    # [{"text": "…", "done": false}, …]: a short list, edited with the plan.
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["organization", "objective"], name="actionplan_org_objective_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.get("done"))

    @property
    def served_key_results(self) -> list[KeyResult]:
        """The key results it serves, by id: as the page read them with the plan (objectives.selectors.begin_node),
        else 1 query."""
        served = self.__dict__.get("_served_key_results")
        return list(self.key_results.all()) if served is None else served

    def is_overdue_on(self, today: date) -> bool:
        return self.due_date < today and self.status not in (self.Status.DONE, self.Status.CANCELLED)

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_overdue_on(timezone.localdate())


class CheckIn(OrgOwned):
    class Confidence(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="check_ins")
    key_result = models.ForeignKey(KeyResult, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="check_ins", verbose_name=_("key result"))
    author = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    date = models.DateField(_("date"))
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices)
    confidence_score = models.PositiveSmallIntegerField(_("confidence (1–10)"), null=True, blank=True)
    value = models.DecimalField(_("value (manual key result)"), null=True, blank=True, **VALUE)
    note = models.TextField(_("progress note"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "objective", "-date"], name="checkin_org_objective_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence_score__isnull=True) | models.Q(confidence_score__gte=1,
                                                                              confidence_score__lte=10),
                name="checkin_score_1_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.objective} · {self.date}"


class Review(OrgOwned):
    """A finance–operations meeting: who came, what was discussed (progress frozen at the time), what was decided."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    participants = models.ManyToManyField("accounts.Membership", blank=True, related_name="+",
                                          verbose_name=_("participants"))
    objectives = models.ManyToManyField(Objective, blank=True, related_name="reviews",
                                        verbose_name=_("objectives discussed"))
    # [{"objective_id", "title", "owner", "progress", "risk", "level", "status"}] as they stood that day.
    snapshot = models.JSONField(default=list, blank=True)
    decisions = models.TextField(_("decisions"), blank=True, max_length=TEXT_MAX_LENGTH)
    follow_ups = models.ManyToManyField(ActionPlan, blank=True, related_name="reviews",
                                        verbose_name=_("follow-up action plans"))
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "-held_on"], name="review_org_held_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class DerivedTarget(OrgOwned):
    """A driver target the KPI driver tree proposed under a financial objective, accepted by its owner."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted, waiting for an owner")
        ADOPTED = "adopted", _("Adopted as an objective")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="derived_targets")
    kpi = models.ForeignKey("kpis.Kpi", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Objective.Kind.choices)
    start_value = models.DecimalField(**VALUE)
    target_value = models.DecimalField(**VALUE)
    direction = models.CharField(max_length=10, choices=KeyResult.Direction.choices, default=KeyResult.Direction.INCREASE)
    rationale = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    adopted_objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    accepted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "objective", "kpi"], name="derivedtarget_unique_kpi"),
        ]


class ObjectiveTemplate(OrgOwned):
    """An objective set saved from one company, applied to others (a consultancy keeps its own library)."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    # [{"ref", "parent_ref", "title", "kind", "owner_role", "description",
    #   "key_results": [{"title", "kpi_slug", "direction", "unit", "start_value", "target_value", "is_manual"}]}]
    payload = models.JSONField(default=list)
    source_name = models.CharField(max_length=150, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def objective_count(self) -> int:
        return len(self.payload)

    @property
    def key_result_count(self) -> int:
        return sum(len(item.get("key_results", [])) for item in self.payload)


def default_period(today: date) -> tuple[date, date]:
    """The calendar quarter containing `today`."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end_month = first_month + 2
    next_start = date(today.year + 1, 1, 1) if end_month == 12 else date(today.year, end_month + 1, 1)
    return start, next_start - timedelta(days=1)

