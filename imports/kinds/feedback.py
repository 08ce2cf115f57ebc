"""Customer feedback from a survey tool's export: NPS (0–10) and CSAT (1–5) answers, what NPS and CSAT read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.base import Column, ImportKind, RowFieldError
from imports.kinds.common import CustomerLookup
from imports.values import parse_date, parse_int, parse_text

SCALES = {"nps": "nps", "csat": "csat", "satisfaction": "csat", "recommandation": "nps"}
RANGES = {"nps": (0, 10), "csat": (1, 5)}  # integrations.models.Feedback.RANGES, checked by the database too


class FeedbackKind(ImportKind):
    key = "feedback"
    label = _("Customer feedback")
    model = "feedback"
    natural_key = ("response",)
    description = _("One row per survey answer: NPS scores 0–10, CSAT scores 1–5. The survey tool's answer id "
                    "identifies a row.")
    columns = (
        Column("response", _("Answer id"), parse_text, required=True,
               aliases=("response_id", "answer_id", "id", "id_reponse", "reponse", "identifiant"), example="R-20931",
               help=_("The survey tool's id of the answer: re-importing it updates that answer.")),
        Column("date", _("Date"), parse_date, required=True,
               aliases=("answered_on", "submitted_at", "date_de_reponse", "repondu_le"), example="2026-03-04"),
        Column("scale", _("Scale"), parse_text, required=True, aliases=("survey", "type", "questionnaire", "echelle"),
               example="nps", help=_("nps (score 0 to 10) or csat (score 1 to 5).")),
        Column("score", _("Score"), parse_int, required=True, aliases=("note", "rating", "valeur"), example="9"),
        Column("channel", _("Channel"), parse_text, required=True, aliases=("canal", "source", "asked_by"),
               example="email"),
        Column("customer", _("Customer"), parse_text, aliases=("client", "customer_name", "account"),
               help=_("Name of a customer already known; leave empty for an anonymous answer.")),
        Column("comment", _("Comment"), lambda value: parse_text(value, max_length=1000),
               aliases=("commentaire", "verbatim", "remarks", "feedback"), example="Fast delivery"),
    )

    def references(self, org) -> None:
        self.customers = CustomerLookup(org)

    def to_fields(self, values):
        scale = SCALES.get(values["scale"].casefold())
        if scale is None:
            raise RowFieldError("scale", "unknown_scale")
        low, high = RANGES[scale]
        if not low <= values["score"] <= high:
            raise RowFieldError("score", "score_range", low=low, high=high)
        return {
            "date": values["date"],
            "scale": scale,
            "score": values["score"],
            "channel": values["channel"][:80],
            "customer_id": self.customers.find("customer", values.get("customer")),
            "comment": values.get("comment") or "",
        }
