"""Forms of the KPI pages. They check shapes only; the engine's services check meaning."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from config.limits import FORMULA_MAX_LENGTH, TEXT_MAX_LENGTH
from kpis.models import Kpi


class WhatIfForm(forms.Form):
    MODES: ClassVar = [("pct", _("by a percentage")), ("value", _("to a value"))]

    driver = forms.ChoiceField(label=_("Driver"))
    mode = forms.ChoiceField(label=_("Change"), choices=MODES, initial="pct")
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=4, initial=Decimal(10),
                                help_text=_("+10 means 10 % more; with “to a value”, the new value."))
    month = forms.CharField(widget=forms.HiddenInput, required=False)
    dimension = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)

    def __init__(self, *args, drivers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].choices = drivers
        self.fields["amount"].localize = True
        self.fields["amount"].widget.is_localized = True


class KpiForm(forms.Form):
    """A custom KPI: a name, a formula over metrics and KPIs, and how to read its values."""

    VISIBILITY: ClassVar = [("kpis.view", _("Everyone in the company")),
                            ("kpis.view_operational_costs", _("Roles that own operational costs (CEO, CFO, COO)")),
                            ("kpis.view_costs", _("Only roles that see cost and margin detail"))]

    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(label=_("Reference"), max_length=80, required=False,
                           help_text=_("How other formulas refer to this KPI; letters, digits and _. "
                                       "Left empty, it is made from the name."))
    formula = forms.CharField(label=_("Formula"), max_length=FORMULA_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Metrics and KPIs by reference, numbers, + − × ÷, parentheses, "
                                          "min, max, abs, if(condition, a, b), coalesce(a, b)."))
    unit = forms.ChoiceField(label=_("Unit"), choices=Kpi.Unit.choices, initial=Kpi.Unit.EUR)
    direction = forms.ChoiceField(label=_("Direction"), choices=Kpi.Direction.choices,
                                  initial=Kpi.Direction.HIGHER)
    category = forms.ChoiceField(label=_("Category"), choices=Kpi.Category.choices)
    owner_role = forms.ChoiceField(label=_("Owner"), choices=Role.choices, initial=Role.CFO)
    visibility_capability = forms.ChoiceField(label=_("Visible to"), choices=VISIBILITY, initial="kpis.view")
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        if slug and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", slug):
            raise forms.ValidationError(_("Use letters, digits and underscores, starting with a letter."))
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("“%(slug)s” is taken by a page of its own: choose another.") % {"slug": slug})
        return slug

    def cleaned_slug(self) -> str:
        """The reference given, or one made from the name ("Coût par commande" → "cout_par_commande")."""
        return self.cleaned_data.get("slug") or slug_from_name(self.cleaned_data.get("name", ""))


# Page routes under /kpis/ that a KPI's own page (/kpis/<slug>/) would otherwise shadow.
RESERVED_SLUGS = frozenset({"new"})


def slug_from_name(name: str) -> str:
    slug = slugify(name).replace("-", "_")[:80]
    if not slug or not slug[0].isalpha() or slug in RESERVED_SLUGS:
        slug = f"kpi_{slug}"[:80]
    return slug


class AnnotationForm(forms.Form):
    """A note on one month's value ("why did it go up?"); it shows on the chart and in reports."""

    month = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Note"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Why did it move?")}))


class PacksForm(forms.Form):
    """The company's trade packs (accounts.models.Organization.Pack); "general" is always on."""

    def __init__(self, *args, **kwargs):
        from accounts.forms import packs_field

        super().__init__(*args, **kwargs)
        self.fields["packs"] = packs_field()

