from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.capabilities import Role
from alerts.models import Alert, AlertPreference, Severity
from alerts.rules.registry import kind_choices
from config.limits import TEXT_MAX_LENGTH

SNOOZE_CHOICES = [("4", _("4 hours")), ("24", _("1 day")), ("72", _("3 days")), ("168", _("1 week"))]


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Live (open, acknowledged, snoozed)")), *Alert.Status.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *kind_choices()]


class AlertResponseForm(forms.Form):
    ACTIONS = [("acknowledge", _("Acknowledge")), ("comment", pgettext_lazy("alert action", "Comment")), ("snooze", _("Snooze")),
               ("resolve", _("Resolve"))]
    action = forms.ChoiceField(choices=ACTIONS)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 2}))
    snooze_hours = forms.ChoiceField(label=_("Snooze for"), required=False, choices=SNOOZE_CHOICES, initial="24")


class AlertRuleForm(forms.Form):
    is_enabled = forms.BooleanField(label=pgettext_lazy("alert rule", "Enabled"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    subscriber_roles = forms.MultipleChoiceField(label=_("Roles notified"), required=False, choices=Role.choices,
                                                 widget=forms.CheckboxSelectMultiple)
    parameters = forms.CharField(label=_("Parameters (JSON)"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 3}))

    def clean_parameters(self):
        try:
            value = json.loads(self.cleaned_data["parameters"])
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("Enter valid JSON, for example {\"days\": 30}.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a JSON object, for example {\"days\": 30}."))
        return value


class AlertPreferenceForm(forms.ModelForm):
    # The person's language for every e-mail (User.language), shown here beside the alerts' choice.
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)

    class Meta:
        model = AlertPreference
        fields = ["delivery"]
        labels = {"delivery": _("Alert e-mails")}
        widgets = {"delivery": forms.RadioSelect}
