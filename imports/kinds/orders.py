"""Orders from a shop or an ERP export: what order processing time, delivery delay and returns read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.kinds.common import CustomerLookup
from imports.values import parse_date, parse_datetime, parse_decimal, parse_int, parse_text


class OrderKind(ImportKind):
    key = "orders"
    label = _("Orders")
    model = "order"
    natural_key = ("number",)
    description = _("One row per order. Re-importing an order number updates that order.")
    columns = (
        Column("number", _("Order number"), parse_text, required=True,
               aliases=("order", "order_number", "order_id", "numero", "numero_de_commande", "commande", "reference", "ref"),
               example="CMD-10421"),
        Column("placed_at", _("Placed at"), parse_datetime, required=True,
               aliases=("placed", "order_date", "date", "date_de_commande", "passee_le", "created_at"),
               example="2026-03-02 14:05"),
        Column("processed_at", _("Processed at"), parse_datetime,
               aliases=("processed", "prepared_at", "packed_at", "preparee_le", "traitee_le", "date_de_preparation"),
               example="2026-03-02 17:40", help=_("When the order was picked and packed, before the carrier took it.")),
        Column("shipped_at", _("Shipped at"), parse_datetime,
               aliases=("shipped", "ship_date", "expediee_le", "date_d_expedition", "date_expedition"),
               example="2026-03-03 09:30"),
        Column("promised_on", _("Promised delivery date"), parse_date,
               aliases=("promised", "promised_date", "date_promise", "livraison_promise"), example="2026-03-06"),
        Column("delivered_on", _("Delivered on"), parse_date,
               aliases=("delivered", "delivery_date", "livree_le", "date_de_livraison"), example="2026-03-05"),
        Column("units", _("Units"), parse_int, aliases=("quantity", "qty", "quantite", "unites"), example="2"),
        Column("amount_excl_tax", _("Amount excl. VAT"), parse_decimal, required=True,
               aliases=("amount", "total", "montant", "montant_ht", "total_ht", "amount_ht"), example="129,90"),
        Column("fulfilment_cost", _("Fulfilment cost"), parse_decimal,
               aliases=("shipping_cost", "cout_logistique", "frais_de_port", "cout_d_expedition"), example="7,20",
               capability="kpis.view_operational_costs"),
        Column("channel", _("Channel"), parse_text, aliases=("canal", "source", "sales_channel"), example="web"),
        Column("customer", _("Customer"), parse_text, aliases=("client", "customer_name", "nom_du_client"),
               help=_("Name of a customer already known (from Pennylane or a previous import); leave empty if none.")),
    )

    def references(self, org) -> None:
        self.customers = CustomerLookup(org)

    def to_fields(self, values):
        units = values.get("units")
        if units is not None and units < 0:
            raise RowFieldError("units", "negative")
        placed, processed, shipped = values["placed_at"], values.get("processed_at"), values.get("shipped_at")
        if processed is not None and processed < placed:
            raise RowFieldError("processed_at", "before", other=str(self.column("placed_at").label))
        if shipped is not None and shipped < placed:
            raise RowFieldError("shipped_at", "before", other=str(self.column("placed_at").label))
        if shipped is not None and processed is not None and shipped < processed:
            raise RowFieldError("shipped_at", "before", other=str(self.column("processed_at").label))
        delivered = values.get("delivered_on")
        if delivered is not None and shipped is not None and delivered < shipped.date():
            raise RowFieldError("delivered_on", "before", other=str(self.column("shipped_at").label))
        return {
            "number": values["number"],
            "placed_at": placed,
            "processed_at": processed,
            "shipped_at": shipped,
            "promised_on": values.get("promised_on"),
            "delivered_on": delivered,
            "units": 1 if units is None else units,
            "amount_excl_tax": values["amount_excl_tax"],
            "fulfilment_cost": values.get("fulfilment_cost") or 0,
            "channel": values.get("channel") or "",
            "customer_id": self.customers.find("customer", values.get("customer")),
        }
