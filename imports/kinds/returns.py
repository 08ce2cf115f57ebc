"""Returns of orders: what the return rate and the value of returns read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.kinds.common import OrderLookup
from imports.values import parse_date, parse_decimal, parse_int, parse_text


class ReturnKind(ImportKind):
    key = "returns"
    label = _("Returns")
    model = "return"
    natural_key = ("order", "returned_on")
    description = _("One row per return of an order already imported. The order and the day identify a return.")
    columns = (
        Column("order", _("Order number"), parse_text, required=True,
               aliases=("order_number", "numero_de_commande", "commande", "order_id"), example="CMD-10421"),
        Column("returned_on", _("Returned on"), parse_date, required=True,
               aliases=("date", "return_date", "date_de_retour", "retourne_le"), example="2026-03-12"),
        Column("units", _("Units"), parse_int, aliases=("quantity", "qty", "quantite"), example="1"),
        Column("amount", _("Value"), parse_decimal, required=True,
               aliases=("value", "valeur", "montant", "amount_excl_tax", "montant_ht"), example="64,95"),
        Column("reason", _("Reason"), parse_text, aliases=("motif", "raison", "return_reason", "motif_de_retour"),
               example="wrong size"),
    )

    def references(self, org) -> None:
        self.orders = OrderLookup(org)

    def to_fields(self, values):
        units = values.get("units")
        if units is not None and units < 0:
            raise RowFieldError("units", "negative")
        return {
            "order_id": self.orders.find("order", values["order"]),
            "returned_on": values["returned_on"],
            "units": 1 if units is None else units,
            "amount": values["amount"],
            "reason": (values.get("reason") or "")[:120],
        }
