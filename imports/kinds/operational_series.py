"""Free operational series (weekly capacity, units produced, …): one value per name, day and dimension."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind
from imports.values import parse_date, parse_decimal, parse_text


class OperationalSeriesKind(ImportKind):
    key = "operational_series"
    label = _("Operational series")
    model = "operationalvalue"
    natural_key = ("series", "date", "dimension")
    description = _("Any figure the company measures: order_capacity_per_week, units_produced… "
                    "The series, the day and the dimension identify a value.")
    # What the catalogue's metrics read of these series is cost detail (kpis/catalogue/metrics.toml).
    guarded_series = {"budget_charges": "kpis.view_costs", "units_produced": "kpis.view_operational_costs"}
    columns = (
        Column("series", _("Series"), parse_text, required=True, aliases=("name", "nom", "serie", "indicator"),
               example="order_capacity_per_week"),
        Column("date", _("Date"), parse_date, required=True,
               aliases=("day", "week", "month", "jour", "semaine", "mois", "periode"), example="2026-03-02"),
        Column("value", _("Value"), parse_decimal, required=True, aliases=("valeur", "amount", "quantite"),
               example="420"),
        Column("dimension", _("Dimension"), parse_text, aliases=("site", "team", "equipe", "line", "ligne"),
               example="entrepot-lyon"),
    )

    def to_fields(self, values):
        return {"series": values["series"], "date": values["date"], "value": values["value"],
                "dimension": values.get("dimension") or ""}
