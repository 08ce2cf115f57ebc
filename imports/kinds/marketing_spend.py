"""Marketing spend by channel: what CAC, cost per lead and marketing ROI read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind
from imports.values import parse_date, parse_decimal, parse_text


class MarketingSpendKind(ImportKind):
    key = "marketing_spend"
    label = _("Marketing spend")
    model = "marketingspend"
    natural_key = ("channel", "date")
    description = _("One row per channel and day (or month: use its first day). The channel and the day identify a row.")
    columns = (
        Column("date", _("Date"), parse_date, required=True, aliases=("day", "month", "jour", "mois", "periode"),
               example="2026-03-01"),
        Column("channel", _("Channel"), parse_text, required=True, aliases=("canal", "source", "campaign_channel"),
               example="google_ads"),
        Column("amount", _("Amount excl. VAT"), parse_decimal, required=True,
               aliases=("spend", "cost", "montant", "depense", "montant_ht"), example="1 250,00"),
    )

    def to_fields(self, values):
        return {"date": values["date"], "channel": values["channel"], "amount": values["amount"]}
