"""Forms check shapes only; the services check the rules (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import Engagement, Membership, Organization
from dashboards.models import Dashboard
from reports.models import ReportSchedule

ROLE_DIGESTS = [(k, label) for k, label in ReportSchedule.Kind.choices if k != ReportSchedule.Kind.TEAM]

TIME_ZONES = ["Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/Luxembourg", "Europe/London",
              "America/Montreal", "Indian/Reunion", "America/Martinique", "UTC"]


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportSchedule.Kind.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=ReportSchedule.Frequency.choices)
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=28, initial=1,
                             help_text=_("Weekly: 1 = Monday … 7 = Sunday. Monthly: day of the month, 1–28."))
    hour = forms.IntegerField(label=_("Hour"), min_value=0, max_value=23, initial=8)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES],
                                  initial="Europe/Paris")
    dashboard = forms.ModelChoiceField(label=_("Team dashboard"), queryset=Dashboard.objects.none(), required=False,
                                       help_text=_("A team-dashboard report goes to those the dashboard is shared "
                                                   "with and its owner."))
    roles = forms.MultipleChoiceField(label=_("Every member with the role"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    members = forms.ModelMultipleChoiceField(label=_("And these members"), queryset=Membership.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)
    consultancy = forms.ModelChoiceField(label=_("Sent by"), queryset=Organization.objects.none(), required=False,
                                         empty_label=_("This company (its own branding)"))
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Membership.objects.for_org(org).select_related("user").order_by("user__email")
        self.fields["members"].label_from_instance = lambda m: f"{m.user} ({m.get_role_display()})"
        firms = Engagement.objects.for_org(org).values_list("consultancy_id", flat=True)
        self.fields["consultancy"].queryset = Organization.objects.filter(pk__in=list(firms))  # scoped: the consultancies engaged on this company
        self.fields["dashboard"].queryset = Dashboard.objects.for_org(org)  # another company's is "not a valid choice"

    def clean(self):
        data = super().clean()
        if data.get("frequency") == ReportSchedule.Frequency.WEEKLY and (data.get("day") or 0) > 7:
            self.add_error("day", _("A weekly report's day is 1 (Monday) to 7 (Sunday)."))
        if data.get("kind") == ReportSchedule.Kind.TEAM:
            if not data.get("dashboard"):
                self.add_error("dashboard", _("Choose the team dashboard to send."))
        elif not data.get("roles") and not data.get("members"):
            raise forms.ValidationError(_("Choose at least one role or member to send it to."))
        return data


class BrandingForm(forms.Form):
    display_name = forms.CharField(label=_("Name shown on reports"), max_length=150, required=False)
    primary_colour = forms.RegexField(label=_("Primary colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#1f3a5f",
                                      widget=forms.TextInput(attrs={"type": "color"}))
    accent_colour = forms.RegexField(label=_("Accent colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#d9822b",
                                     widget=forms.TextInput(attrs={"type": "color"}))
    # A plain file field: Pillow checks it in reports.branding (ImageField would decode it unguarded first).
    logo = forms.FileField(label=_("Logo (PNG, JPEG or WebP)"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)


class PreviewForm(forms.Form):
    # A team dashboard's digest is previewed on the dashboard itself.
    kind = forms.ChoiceField(label=_("Report"), choices=ROLE_DIGESTS)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=ReportSchedule.Frequency.choices,
                                  initial=ReportSchedule.Frequency.MONTHLY)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)
