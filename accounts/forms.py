from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import Membership, Organization


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class CeilingForm(forms.Form):
    max_role = forms.ChoiceField(label=_("Highest role allowed"), choices=Role.choices)


class ClientCompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=150)
    trade = forms.CharField(label=_("Trade"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Your role there"), choices=Role.choices, initial=Role.COO)


class EngagementForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client company"), queryset=Organization.objects.none())
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=Membership.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.COO)

    def __init__(self, *args, clients, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        # Both choices are limited to what the consultancy in hand already reaches.
        self.fields["client"].queryset = clients
        self.fields["consultant"].queryset = consultants
        self.fields["consultant"].label_from_instance = lambda m: m.user.email


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("Which tool uses it: “Power BI”, “ERP export”…"))
    role = forms.ChoiceField(label=_("Reads as"), help_text=_("The key sees what this role sees, never more than you."))
    can_write = forms.BooleanField(label=_("May push records (orders, spend…)"), required=False)

    def __init__(self, *args, creator_role: str, **kwargs):
        from accounts.api_keys import KEY_READ_CAPABILITIES
        from accounts.capabilities import CAPABILITIES, Role

        super().__init__(*args, **kwargs)
        allowed = CAPABILITIES[creator_role]
        self.fields["role"].choices = [(r.value, r.label) for r in Role
                                       if CAPABILITIES[r] & KEY_READ_CAPABILITIES <= allowed]
        self.fields["role"].initial = Role.VIEWER
