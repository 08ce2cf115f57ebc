from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.models import ClientGroup


class ClientGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Grouped by"), choices=ClientGroup.Kind.choices)
    clients = forms.ModelMultipleChoiceField(label=_("Clients"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients  # the consultancy's own clients only


class ConsolidationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    holding = forms.ModelChoiceField(label=_("Holding company"), queryset=None)
    companies = forms.ModelMultipleChoiceField(label=_("Subsidiaries"), queryset=None,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holding"].queryset = clients  # the consultancy's own clients only
        self.fields["companies"].queryset = clients


class HoldingConsolidationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    companies = forms.ModelMultipleChoiceField(label=_("Subsidiaries"), queryset=None,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = companies  # the other companies the CEO is a member of


class IntercompanyForm(forms.Form):
    party = forms.ChoiceField(label=_("Customer or supplier of a company of the group"), error_messages={
        "required": _("Choose a customer or a supplier of a company of the group that you act for."),
        "invalid_choice": _("Choose a customer or a supplier of a company of the group that you act for."),
    })

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties
