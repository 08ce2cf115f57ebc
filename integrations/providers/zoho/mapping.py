"""Zoho CRM records → canonical records.

Zoho returns typed JSON: numbers are numbers (Amount, Probability, Exchange_Rate), dates are
`2026-03-31`, datetimes ISO 8601 with the account's offset (`2026-03-31T14:05:00+02:00`), lookups are
`{"name", "id"}` objects (Owner, Account_Name) or null. Won and lost come from the stage's
`forecast_type` in the pipeline settings ("Closed Won", "Closed Lost", "Open"), never from its name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.base import Record
from integrations.messages import ReaderMessage

CLOSED_WON, CLOSED_LOST = "Closed Won", "Closed Lost"


def parse_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any) -> date | None:
    """A date field (`2026-03-31`) as it is; a datetime as its day in the organization's time zone."""
    if not value:
        return None
    text = str(value).strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    parsed = parse_datetime(text)
    return timezone.localtime(parsed).date() if parsed else None


def parse_number(value: Any) -> Decimal | None:
    """A JSON number (or a numeric string from a formula field); None when it is not one."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def lookup_id(value: Any) -> str | None:
    """`{"name": "Boréal SAS", "id": "5725767000000412001"}` → its id; null → None."""
    if isinstance(value, dict) and value.get("id"):
        return str(value["id"])
    return None


def channel(value: Any) -> str:
    """Lead_Source (`Web Site`, `Partner`) → a lower-case channel key (`web_site`)."""
    return str(value or "").strip().lower().replace(" ", "_").replace("-", "_")[:80]


class Stages:
    """Deal stages of every pipeline, from /settings/pipeline: closed, won, and the pipeline they are in."""

    def __init__(self, pipelines: list[dict]):
        self.stages: dict[str, dict] = {}
        for pipeline in pipelines:
            name = pipeline.get("display_value") or pipeline.get("actual_value") or ""
            for stage in pipeline.get("maps") or []:
                forecast = stage.get("forecast_type") or "Open"
                meta = {"label": stage.get("display_value") or stage.get("actual_value") or "", "pipeline": name,
                        "closed": forecast in (CLOSED_WON, CLOSED_LOST), "won": forecast == CLOSED_WON}
                for key in (stage.get("actual_value"), stage.get("display_value")):
                    if key:
                        self.stages.setdefault(str(key), meta)

    def describe(self, stage: str) -> dict:
        return self.stages.get(stage, {"label": stage, "pipeline": "", "closed": False, "won": False})


def _updated(row: dict) -> datetime | None:
    return parse_datetime(row.get("Modified_Time"))


def map_account(row: dict) -> Record:
    name = (row.get("Account_Name") or "").strip() if isinstance(row.get("Account_Name"), str) else ""
    base = {"model": "crmcompany", "external_id": str(row["id"]), "raw": row, "source_updated_at": _updated(row)}
    website = (row.get("Website") or "").strip()
    if not name and not website:
        return Record(**base, reject_reason=ReaderMessage("The company has neither a name nor a domain."))
    domain = website.removeprefix("https://").removeprefix("http://").removeprefix("www.").split("/")[0]
    return Record(**base, fields={"name": (name or domain)[:255], "domain": domain[:255],
                                  "segment": (row.get("Industry") or "")[:80]})


def _person(row: dict) -> str:
    return " ".join(p for p in (row.get("First_Name"), row.get("Last_Name")) if p).strip()[:255]


def map_contact(row: dict) -> Record:
    return Record(model="contact", external_id=str(row["id"]), raw=row, source_updated_at=_updated(row), fields={
        "email": (row.get("Email") or "")[:255], "name": _person(row),
        "company_external_id": lookup_id(row.get("Account_Name")),
        "lifecycle_stage": "customer", "source_channel": channel(row.get("Lead_Source")),
        "created_on": parse_date(row.get("Created_Time")),
    })


def map_lead(row: dict) -> Record:
    """A lead; converted on the day Zoho converted it (`$converted`, `Converted_Date_Time`)."""
    base = {"model": "lead", "external_id": str(row["id"]), "raw": row, "source_updated_at": _updated(row)}
    created_on = parse_date(row.get("Created_Time"))
    if created_on is None:
        return Record(**base, reject_reason=ReaderMessage("The lead's creation date %(value)r is not a date.",
                                                          value=row.get("Created_Time")))
    converted = bool(row.get("$converted") or row.get("Converted__s"))
    converted_on = (parse_date(row.get("Converted_Date_Time")) or (_updated(row) and _updated(row).date())) \
        if converted else None
    return Record(**base, fields={"created_on": created_on, "source_channel": channel(row.get("Lead_Source")),
                                  "converted_on": converted_on, "contact_external_id": None})


def home_amount(row: dict, *, home_currency: str) -> tuple[Decimal | None, str]:
    """The deal's amount in the organization's home currency: Zoho's Exchange_Rate says how many units of
    the deal's currency one unit of the home currency buys (1 for the home currency itself)."""
    amount = parse_number(row.get("Amount"))
    currency = (row.get("Currency") or home_currency or "EUR")[:3]
    if amount is None:
        return None, currency
    if currency != home_currency:
        rate = parse_number(row.get("Exchange_Rate"))
        if rate is None or rate <= 0:
            return None, currency
        amount = amount / rate
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), home_currency


def map_deal(row: dict, *, stages: Stages, owners: dict[str, str], home_currency: str) -> Record:
    base = {"model": "deal", "external_id": str(row["id"]), "raw": row, "source_updated_at": _updated(row)}
    name = (row.get("Deal_Name") or "").strip()
    if not name:
        return Record(**base, reject_reason=ReaderMessage("The deal has no name (Deal_Name is empty)."))
    amount, currency = home_amount(row, home_currency=home_currency)
    if amount is None:
        return Record(**base, reject_reason=ReaderMessage("The deal amount %(value)r is not a number.",
                                                          value=row.get("Amount")))
    created_on = parse_date(row.get("Created_Time"))
    if created_on is None:
        return Record(**base, reject_reason=ReaderMessage("The deal's creation date %(value)r is not a date.",
                                                          value=row.get("Created_Time")))
    stage = stages.describe(str(row.get("Stage") or ""))
    pipeline = row.get("Pipeline")
    pipeline = (pipeline.get("name") if isinstance(pipeline, dict) else pipeline) or stage["pipeline"]
    probability = parse_number(row.get("Probability"))
    owner = row.get("Owner") if isinstance(row.get("Owner"), dict) else {}
    return Record(**base, fields={
        "name": name[:255], "pipeline": str(pipeline or "")[:80], "stage": stage["label"][:80],
        "amount": amount, "currency": currency, "created_on": created_on,
        "close_date": parse_date(row.get("Closing_Date")),
        "is_closed": stage["closed"], "is_won": stage["won"],
        "is_qualified": stage["won"] or (probability is not None
                                         and probability >= settings.ZOHO_QUALIFIED_MIN_PROBABILITY),
        "source_channel": channel(row.get("Lead_Source")),
        "owner_name": (owners.get(str(owner.get("id") or "")) or owner.get("name") or "")[:255],
        "company_external_id": lookup_id(row.get("Account_Name")),
    })
