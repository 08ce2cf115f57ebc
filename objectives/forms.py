"""Forms check shapes only; business rules live in the services. Every choice list is limited to the organization."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import Membership
from config.limits import TEXT_MAX_LENGTH
from kpis.models import Kpi
from kpis.periods import period_containing, validate_period_day
from kpis.presenters import period_label
from objectives.models import ActionPlan, CheckIn, KeyResult, Objective
from objectives.services import KIND_CAPABILITY
from objectives.services.action_plans import checklist_from_text


def plain_decimal(value):
    """2760.0000 → 2760 and 181.1600 → 181.16, for form fields (never exponent notation)."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} ({obj.get_role_display()})"


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} ({obj.get_role_display()})"


def _members(org):
    return Membership.objects.for_org(org).select_related("user").order_by("user__full_name", "user__email")


def period_choices(org, today: date) -> list[tuple[str, str]]:
    """This quarter, the next three, the previous one, this fiscal year and the next; then custom."""
    fy = org.fiscal_year_start_month
    current = period_containing(today, "quarter", fy)
    quarters = [current.previous(), current]
    for _i in range(3):
        quarters.append(quarters[-1].next())
    year = period_containing(today, "year", fy)
    periods = quarters + [year, year.next()]
    return [(f"{p.start.isoformat()}/{p.end.isoformat()}", period_label(p)) for p in periods] + [("custom", _("Custom dates"))]


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Objective.Kind.choices)
    period = forms.ChoiceField(label=_("Period"))
    period_start = forms.DateField(label=_("Start (custom dates)"), required=False, validators=[validate_period_day],
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("End (custom dates)"), required=False, validators=[validate_period_day],
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    owner = MemberChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    owner_role = forms.ChoiceField(label=_("Acting as"), choices=Role.choices)
    parent = forms.ModelChoiceField(label=_("Parent objective"), queryset=Objective.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Objective.Status.choices, initial=Objective.Status.ACTIVE)
    weight = forms.IntegerField(label=_("Weight in the parent's progress"), min_value=0, max_value=100, initial=1)
    check_in_every_days = forms.IntegerField(label=_("Check-in every (days)"), min_value=1, max_value=92, initial=7)
    team = forms.CharField(label=_("Team"), max_length=80, required=False)

    def __init__(self, *args, org, membership: Membership, today: date, exclude_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["kind"].choices = [(k, label) for k, label in Objective.Kind.choices
                                       if membership.can(KIND_CAPABILITY[k])]
        self.fields["period"].choices = period_choices(org, today)
        self.fields["owner"].queryset = _members(org)
        parents = Objective.objects.for_org(org).exclude(status=Objective.Status.CANCELLED).order_by(
            "-period_start", "title")
        if exclude_pk:
            parents = parents.exclude(pk=exclude_pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda o: f"{o.title} ({o.get_kind_display()}, " \
                                                              f"{o.period_start:%Y-%m-%d} → {o.period_end:%Y-%m-%d})"

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period == "custom":
            if self.has_error("period_start") or self.has_error("period_end"):
                pass  # a date was given but refused: its own message says why
            elif not data.get("period_start") or not data.get("period_end"):
                self.add_error("period_start", _("Give both dates of a custom period."))
            elif data["period_end"] < data["period_start"]:
                self.add_error("period_end", _("The period must end after it starts."))
            data["period_kind"] = Objective.PeriodKind.CUSTOM
        elif period:
            start, end = (date.fromisoformat(x) for x in period.split("/"))
            data["period_start"], data["period_end"] = start, end
            data["period_kind"] = Objective.PeriodKind.QUARTER if (end - start).days < 100 else Objective.PeriodKind.YEAR
        return data

    @staticmethod
    def initial_for(objective: Objective) -> dict:
        key = f"{objective.period_start.isoformat()}/{objective.period_end.isoformat()}"
        return {"title": objective.title, "description": objective.description, "kind": objective.kind,
                "period": key if objective.period_kind != Objective.PeriodKind.CUSTOM else "custom",
                "period_start": objective.period_start, "period_end": objective.period_end,
                "owner": objective.owner_id, "owner_role": objective.owner_role, "parent": objective.parent_id,
                "status": objective.status, "weight": objective.weight,
                "check_in_every_days": objective.check_in_every_days, "team": objective.team}


class KeyResultForm(forms.ModelForm):
    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=Kpi.objects.none(), required=False)

    class Meta:
        model = KeyResult
        fields = ["title", "is_manual", "kpi", "dimension_value", "direction", "start_value", "target_value", "unit",
                  "weight", "manual_value"]
        help_texts = {"is_manual": _("Tick when no KPI measures it: the value is then typed at each check-in.")}

    def __init__(self, *args, org, visible_kpi_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the KPIs the member may see (kpis.selectors.kpi_visibility_for): the others are not offered.
        self.fields["kpi"].queryset = Kpi.objects.for_org(org).filter(is_active=True, pk__in=visible_kpi_ids) \
            .order_by("category", "name")
        for name in ("start_value", "target_value", "manual_value"):
            if self.initial.get(name) is not None:
                self.initial[name] = plain_decimal(self.initial[name])
        if self.instance.pk:
            del self.fields["manual_value"]  # later values come with check-ins, so they stay in the history

    def clean(self):
        data = super().clean()
        if not data.get("is_manual") and not data.get("kpi"):
            self.add_error("kpi", _("Choose the KPI this key result follows, or mark it as manual."))
        return data


class CheckInForm(forms.Form):
    confidence = forms.ChoiceField(label=_("Confidence"), choices=CheckIn.Confidence.choices)
    confidence_score = forms.IntegerField(label=_("Confidence (1–10)"), min_value=1, max_value=10, required=False)
    key_result = forms.ModelChoiceField(label=_("Key result"), queryset=KeyResult.objects.none(), required=False)
    value = forms.DecimalField(label=_("New value (manual key result)"), required=False, max_digits=18,
                               decimal_places=4)
    note = forms.CharField(label=_("Progress note"), required=False, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, objective: Objective, key_results: list[KeyResult] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["key_result"]
        field.queryset = KeyResult.objects.for_org(objective.organization).filter(objective=objective)
        if key_results is not None:  # the page read them already: its choices need no query of their own
            field.choices = [("", field.empty_label)] + [(kr.pk, field.label_from_instance(kr)) for kr in key_results]


class ActionPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = MemberChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    team = forms.CharField(label=_("Team"), max_length=80, required=False)
    due_date = forms.DateField(label=_("Due date"), validators=[validate_period_day], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlan.Status.choices)
    key_results = forms.ModelMultipleChoiceField(label=_("Key results it serves"), queryset=KeyResult.objects.none(),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    checklist = forms.CharField(label=_("Checklist (one item per line)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, objective: Objective, plan: ActionPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["owner"].queryset = _members(objective.organization)
        self.fields["key_results"].queryset = KeyResult.objects.for_org(objective.organization).filter(
            objective=objective)

    def clean_checklist(self):
        return checklist_from_text(self.cleaned_data["checklist"], previous=self.plan.checklist if self.plan else None)


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), validators=[validate_period_day], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    participants = MembersField(label=_("Participants"), queryset=Membership.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple)
    objectives = forms.ModelMultipleChoiceField(label=_("Objectives discussed"), queryset=Objective.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    decisions = forms.CharField(label=_("Decisions (one per line)"), required=False, max_length=TEXT_MAX_LENGTH,
                                widget=forms.Textarea(attrs={"rows": 4}))
    follow_ups = forms.ModelMultipleChoiceField(label=_("Follow-up action plans"), queryset=ActionPlan.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    refresh_snapshot = forms.BooleanField(label=_("Refresh the progress snapshot to today's figures"),
                                          required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _members(org)
        self.fields["objectives"].queryset = Objective.objects.for_org(org).exclude(
            status=Objective.Status.CANCELLED).order_by("-period_start", "title")
        self.fields["follow_ups"].queryset = ActionPlan.objects.for_org(org).order_by("due_date", "title")


class AdoptForm(forms.Form):
    title = forms.CharField(label=_("Title of your objective"), max_length=200)
    target_value = forms.DecimalField(label=_("Target (adjust if needed)"), max_digits=18, decimal_places=4)


class TemplateSaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    objectives = forms.ModelMultipleChoiceField(label=_("Objectives to save"), queryset=Objective.objects.none(),
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = Objective.objects.for_org(org).exclude(
            status=Objective.Status.CANCELLED).order_by("-period_start", "title")


class TemplateApplyForm(forms.Form):
    companies = forms.ModelMultipleChoiceField(label=_("Apply to"), queryset=Membership.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    period_start = forms.DateField(label=_("Period start"), validators=[validate_period_day], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Period end"), validators=[validate_period_day], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = memberships
        self.fields["companies"].label_from_instance = lambda m: m.organization.name

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The period must end after it starts."))
        return data

