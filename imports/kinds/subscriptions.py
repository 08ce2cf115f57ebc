"""Subscriptions, for companies whose billing is not in Pennylane: what MRR, churn and NRR read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.kinds.common import CustomerLookup
from imports.values import parse_date, parse_decimal, parse_text


class SubscriptionKind(ImportKind):
    key = "subscriptions"
    label = _("Subscriptions")
    model = "subscription"
    natural_key = ("customer", "plan", "started_on")
    description = _("One row per subscription of a known customer. The customer, the plan and the start day identify it.")
    columns = (
        Column("customer", _("Customer"), parse_text, required=True, aliases=("client", "customer_name", "account"),
               example="Nuage Analytics"),
        Column("plan", _("Plan"), parse_text, aliases=("offer", "offre", "formule", "product"), example="Pro"),
        Column("mrr", _("MRR (monthly, excl. VAT)"), parse_decimal, required=True,
               aliases=("monthly_amount", "montant_mensuel", "mrr_ht"), example="490"),
        Column("started_on", _("Started on"), parse_date, required=True,
               aliases=("start", "start_date", "debut", "date_de_debut"), example="2025-09-01"),
        Column("ended_on", _("Ended on"), parse_date, aliases=("end", "end_date", "fin", "date_de_fin"), example=""),
    )

    def references(self, org) -> None:
        self.customers = CustomerLookup(org)

    def to_fields(self, values):
        if values["mrr"] < 0:
            raise RowFieldError("mrr", "negative")
        ended = values.get("ended_on")
        if ended is not None and ended < values["started_on"]:
            raise RowFieldError("ended_on", "before", other=str(self.column("started_on").label))
        return {
            "customer_id": self.customers.find("customer", values["customer"], required=True),
            "plan": values.get("plan") or "",
            "mrr": values["mrr"],
            "started_on": values["started_on"],
            "ended_on": ended,
        }
