from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import Membership, Organization


class SignupForm(forms.Form):
    """What allauth's sign-up asks besides the e-mail and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Your name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["full_name"]

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


TRADE_PACKS = [(value, label) for value, label in Organization.Pack.choices if value != Organization.Pack.GENERAL]
MONTHS = [(1, _("January")), (2, _("February")), (3, _("March")), (4, _("April")), (5, _("May")), (6, _("June")),
          (7, _("July")), (8, _("August")), (9, _("September")), (10, _("October")), (11, _("November")),
          (12, _("December"))]


def packs_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("What the company does"), choices=TRADE_PACKS, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Chooses the KPIs of your trade; the management balances (SIG), cash and receivables are "
                    "always there. You can change it later in the KPI catalogue."))


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=150)
    packs = packs_field()
    fiscal_year_start_month = forms.TypedChoiceField(label=_("Fiscal year starts in"), choices=MONTHS, coerce=int,
                                                     initial=1)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    # The least power by default: an inviter who forgets the field gives read access, never the CEO's.
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class CeilingForm(forms.Form):
    max_role = forms.ChoiceField(label=_("Highest role allowed"), choices=Role.choices)


class ClientCompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=150)
    trade = forms.CharField(label=_("Trade"), max_length=120, required=False)
    packs = packs_field()
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
