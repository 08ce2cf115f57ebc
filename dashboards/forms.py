from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import Membership
from dashboards.models import Comparison, Dashboard, Period, Widget
from kpis.models import Kpi
from kpis.presenters import kpi_name


class DashboardCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    team = forms.CharField(label=_("Team"), max_length=80, required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Dashboard.objects.for_org(self.org).filter(name=name).exists():
            raise forms.ValidationError(_("A dashboard of this name exists already."))
        return name


class DashboardSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    team = forms.CharField(label=_("Team"), max_length=80, required=False,
                           help_text=_("Action plans of this team show on the dashboard."))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none(), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    comparison = forms.ChoiceField(label=_("Compared with"), choices=Comparison.choices)
    roles = forms.MultipleChoiceField(label=_("Shared with roles"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    members = forms.ModelMultipleChoiceField(label=_("Shared with members"), queryset=Membership.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, dashboard: Dashboard, **kwargs):
        super().__init__(*args, **kwargs)
        self.dashboard = dashboard
        members = Membership.objects.for_org(dashboard.organization).select_related("user").order_by("user__full_name")
        self.fields["owner"].queryset = members
        self.fields["members"].queryset = members

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Dashboard.objects.for_org(self.dashboard.organization).filter(name=name).exclude(
                pk=self.dashboard.pk).exists():
            raise forms.ValidationError(_("A dashboard of this name exists already."))
        return name


class WidgetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Widget"), choices=Widget.Kind.choices)
    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=Kpi.objects.none(), required=False)
    kpis = forms.ModelMultipleChoiceField(label=_("KPIs of the heatmap"), queryset=Kpi.objects.none(), required=False)
    width = forms.TypedChoiceField(label=_("Width"), choices=Widget.Width.choices, coerce=int,
                                   initial=Widget.Width.QUARTER)
    months = forms.TypedChoiceField(label=_("Months shown"), choices=[(12, "12"), (18, "18"), (24, "24")],
                                    coerce=int, initial=12)

    NEEDS_KPI = {Widget.Kind.KPI_TILE, Widget.Kind.TREND, Widget.Kind.BREAKDOWN}

    def __init__(self, *args, kpis: list[Kpi], **kwargs):
        super().__init__(*args, **kwargs)
        ids = [k.pk for k in kpis]
        qs = Kpi.objects.filter(pk__in=ids).order_by("category", "sort_order", "slug")  # scoped: ids of the reader's visible KPIs in this organization
        self.fields["kpi"].queryset = qs
        self.fields["kpis"].queryset = qs
        self.fields["kpi"].label_from_instance = kpi_name
        self.fields["kpis"].label_from_instance = kpi_name

    def clean(self):
        data = super().clean()
        kind, kpi = data.get("kind"), data.get("kpi")
        if kind in self.NEEDS_KPI and kpi is None:
            self.add_error("kpi", _("Choose the KPI this widget shows."))
        if kind == Widget.Kind.BREAKDOWN and kpi is not None and not kpi.dimension_label:
            self.add_error("kpi", _("This KPI has no breakdown: choose one broken down by a dimension."))
        if kind == Widget.Kind.HEATMAP and not data.get("kpis"):
            self.add_error("kpis", _("Choose the KPIs of the heatmap."))
        return data


class WidgetResizeForm(forms.Form):
    width = forms.TypedChoiceField(choices=Widget.Width.choices, coerce=int)


class WidgetMoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[(-1, "-1"), (1, "1")], coerce=int)
