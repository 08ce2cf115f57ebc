"""Salesforce SOQL rows → canonical records.

Won, lost and qualified come from the org's stage metadata (OpportunityStage: IsWon, IsClosed,
DefaultProbability), never from what a stage is called. In a multi-currency org an opportunity's
Amount is in its CurrencyIsoCode: it is converted to the company's currency through the corporate
currency, with the dated rate in force on the close date when the org keeps dated rates
(DatedConversionRate, advanced currency management), else the CurrencyType rate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from integrations.base import Record
from integrations.messages import ReaderMessage

CENT = Decimal("0.01")


def parse_datetime(value: str | None) -> datetime | None:
    """`2026-01-05T10:00:00.000+0000` (the REST API's form) or ISO 8601."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def local_date(value: str | None) -> date | None:
    parsed = parse_datetime(value)
    return timezone.localtime(parsed).date() if parsed else None


def channel(value: str | None) -> str:
    """LeadSource (`Partner Referral`) → a lower-case channel key (`partner_referral`)."""
    return "_".join((value or "").strip().lower().replace("-", " ").split())[:80]


def soql_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Stages:
    """OpportunityStage rows by the picklist value opportunities carry in StageName."""

    def __init__(self, rows: list[dict]):
        self.by_name: dict[str, dict] = {}
        for row in rows:
            for key in (row.get("ApiName"), row.get("MasterLabel")):
                if key:
                    self.by_name.setdefault(key, row)

    def describe(self, name: str) -> dict:
        return self.by_name.get(name) or {}

    def is_qualified(self, name: str, probability: float | None) -> bool:
        meta = self.describe(name)
        if meta.get("IsClosed"):
            return bool(meta.get("IsWon"))
        value = meta.get("DefaultProbability") if meta else probability
        return value is not None and float(value) >= settings.SALESFORCE_QUALIFIED_MIN_PROBABILITY


class Currencies:
    """Conversion of opportunity amounts to the company currency (identity in a single-currency org)."""

    def __init__(self, *, target: str, corporate: str = "", rates: list[dict] | None = None,
                 dated: list[dict] | None = None):
        self.target = target
        self.corporate = corporate or target
        self.rates = {r["IsoCode"]: Decimal(str(r["ConversionRate"])) for r in rates or []}
        self.dated = [(r["IsoCode"], parse_date(r.get("StartDate")), parse_date(r.get("NextStartDate")),
                       Decimal(str(r["ConversionRate"]))) for r in dated or []]

    @property
    def multi(self) -> bool:
        return bool(self.rates)

    def rate(self, iso: str, on: date | None) -> Decimal | None:
        """Units of `iso` per unit of the corporate currency on `on`."""
        if iso == self.corporate:
            return Decimal(1)
        if on is not None:
            for code, start, next_start, rate in self.dated:
                if code == iso and (start is None or start <= on) and (next_start is None or on < next_start):
                    return rate
        return self.rates.get(iso)

    def convert(self, amount: Decimal, iso: str, on: date | None) -> tuple[Decimal, str]:
        """(amount in the company currency, its code); the corporate currency when the company's is unknown."""
        if not self.multi or iso == self.target:
            return amount, iso or self.target
        source = self.rate(iso, on)
        if source is None:
            return amount, iso
        target_rate = self.rate(self.target, on)
        target = self.target if target_rate is not None else self.corporate
        corporate_amount = amount / source
        converted = corporate_amount * (target_rate if target_rate is not None else Decimal(1))
        return converted.quantize(CENT, rounding=ROUND_HALF_UP), target


def _base(model: str, row: dict) -> dict:
    return {"model": model, "external_id": str(row["Id"]), "raw": {k: v for k, v in row.items() if k != "attributes"},
            "source_updated_at": parse_datetime(row.get("SystemModstamp"))}


def tombstones(models: tuple[str, ...], row: dict) -> list[Record]:
    """A deleted row (IsDeleted, or listed by the deleted endpoint); a merged one names its survivor."""
    updated = parse_datetime(row.get("SystemModstamp") or row.get("deletedDate"))
    return [Record(model=model, external_id=str(row.get("Id") or row.get("id")), deleted=True,
                   source_updated_at=updated) for model in models]


def map_account(row: dict) -> Record:
    name = (row.get("Name") or "").strip()
    website = (row.get("Website") or "").strip()
    domain = (urlsplit(website if "//" in website else f"//{website}").hostname or "").removeprefix("www.")
    if not name:
        return Record(**_base("crmcompany", row), reject_reason=ReaderMessage("The account has no name."))
    return Record(**_base("crmcompany", row), fields={"name": name[:255], "domain": domain[:255],
                                                      "segment": (row.get("Industry") or "")[:80]})


def map_contact(row: dict) -> Record:
    name = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p).strip()
    return Record(**_base("contact", row), fields={
        "email": (row.get("Email") or "")[:255], "name": name[:255],
        "company_external_id": row.get("AccountId") or None, "lifecycle_stage": "",
        "source_channel": channel(row.get("LeadSource")), "created_on": local_date(row.get("CreatedDate"))})


def map_lead(row: dict) -> Record:
    created_on = local_date(row.get("CreatedDate"))
    if created_on is None:
        return Record(**_base("lead", row), reject_reason=ReaderMessage(
            "The lead's creation date %(value)r is not a date.", value=row.get("CreatedDate")))
    converted_on = parse_date(row.get("ConvertedDate")) if row.get("IsConverted") else None
    return Record(**_base("lead", row), fields={
        "created_on": created_on, "source_channel": channel(row.get("LeadSource")), "converted_on": converted_on,
        "contact_external_id": row.get("ConvertedContactId") or None})


def map_opportunity(row: dict, *, stages: Stages, owners: dict[str, str], currencies: Currencies) -> Record:
    base = _base("deal", row)
    name = (row.get("Name") or "").strip()
    if not name:
        return Record(**base, reject_reason=ReaderMessage("The opportunity has no name."))
    try:
        amount = Decimal(str(row["Amount"])).quantize(CENT) if row.get("Amount") is not None else Decimal(0)
    except InvalidOperation:
        return Record(**base, reject_reason=ReaderMessage("The deal amount %(value)r is not a number.",
                                                          value=row.get("Amount")))
    created_on = local_date(row.get("CreatedDate"))
    if created_on is None:
        return Record(**base, reject_reason=ReaderMessage("The deal's creation date %(value)r is not a date.",
                                                          value=row.get("CreatedDate")))
    close_date = parse_date(row.get("CloseDate"))
    stage_name = row.get("StageName") or ""
    meta = stages.describe(stage_name)
    # The stage's metadata decides; the row's own flags (derived from it by Salesforce) stand in for a stage
    # the metadata query did not return (inactive since).
    is_closed = bool(meta["IsClosed"]) if meta else bool(row.get("IsClosed"))
    is_won = bool(meta["IsWon"]) if meta else bool(row.get("IsWon"))
    amount, currency = currencies.convert(amount, row.get("CurrencyIsoCode") or currencies.target, close_date)
    return Record(**base, fields={
        "name": name[:255], "pipeline": "", "stage": (meta.get("MasterLabel") or stage_name)[:80],
        "amount": amount, "currency": (currency or "EUR")[:3], "created_on": created_on, "close_date": close_date,
        "is_closed": is_closed, "is_won": is_closed and is_won,
        "is_qualified": stages.is_qualified(stage_name, row.get("Probability")),
        "source_channel": channel(row.get("LeadSource")), "owner_name": owners.get(row.get("OwnerId") or "", "")[:255],
        "company_external_id": row.get("AccountId") or None})
