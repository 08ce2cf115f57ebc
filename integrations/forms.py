from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class TokenForm(forms.Form):
    token = forms.CharField(label=_("API token"), max_length=2000, strip=True,
                            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    label = forms.CharField(label=_("Name (optional)"), max_length=120, required=False)


class ReplaceTokenForm(forms.Form):
    token = forms.CharField(label=_("New API token"), max_length=2000, strip=True,
                            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))


class DisconnectForm(forms.Form):
    KEEP, PURGE = "keep", "purge"
    records = forms.ChoiceField(
        label=_("What happens to the records it brought in?"),
        choices=[(KEEP, _("Keep them (dashboards keep their history)")),
                 (PURGE, _("Delete them (KPIs that read them will be recomputed)"))],
        widget=forms.RadioSelect, initial=KEEP,
    )
    confirm = forms.BooleanField(label=_("I understand that syncing stops and the token is forgotten."))


class FirmMappingForm(forms.Form):
    company_id = forms.CharField(widget=forms.HiddenInput)
    client = forms.ModelChoiceField(label=_("Client company"), queryset=Organization.objects.none())

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients
