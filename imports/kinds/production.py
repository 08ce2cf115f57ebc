"""Production by line and month: units made and what they cost, what cost per unit by line reads."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.values import parse_decimal, parse_month, parse_text

_CENT = Decimal("0.01")
_UNIT_PLACES = Decimal("0.0001")  # integrations.models.ProductionOutput.units keeps 4 decimals


class ProductionKind(ImportKind):
    key = "production"
    label = _("Production")
    model = "productionoutput"
    natural_key = ("period", "line")
    description = _("One row per month and production line (or workshop): the units made and, when known, what "
                    "they cost (EUR excl. VAT). The month and the line identify a row; leave the line empty for "
                    "the whole plant.")
    columns = (
        Column("period", _("Month"), parse_month, required=True,
               aliases=("month", "mois", "periode", "date", "production_month", "mois_de_production"),
               example="2026-03", help=_("03/2026, 2026-03, mars 2026, or any date of the month.")),
        Column("line", _("Production line"), parse_text,
               aliases=("ligne", "atelier", "workshop", "production_line", "ligne_de_production", "poste", "site"),
               example="Assemblage"),
        Column("units", _("Units produced"), parse_decimal, required=True,
               aliases=("units_produced", "unites", "unites_produites", "quantite", "quantite_produite", "quantity",
                        "qty", "volume"),
               example="1 240"),
        # Cost detail, as an order's fulfilment cost: the catalogue's cost-per-unit KPIs guard it alike.
        Column("cost", _("Production cost"), parse_decimal,
               aliases=("production_cost", "cout", "cout_de_production", "cout_production", "couts", "cost_eur",
                        "montant", "montant_ht"),
               example="18 600,00", help=_("EUR excl. VAT; leave empty when the line's cost is not known."),
               capability="kpis.view_operational_costs"),
    )

    def to_fields(self, values):
        if values["units"] < 0:
            raise RowFieldError("units", "negative")
        cost = values.get("cost")
        if cost is not None and cost < 0:
            raise RowFieldError("cost", "negative")
        return {"period": values["period"], "line": (values.get("line") or "")[:80],
                "units": values["units"].quantize(_UNIT_PLACES), "cost": None if cost is None else cost.quantize(_CENT)}
