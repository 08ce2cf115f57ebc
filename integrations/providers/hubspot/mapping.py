"""HubSpot payloads → canonical records: every property arrives as a string (amounts, dates,
booleans), deal stages say whether they are closed and with what probability."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from integrations.base import Record
from integrations.messages import ReaderMessage

LAST_MODIFIED = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}


# --- parsing HubSpot's string-typed values -----------------------------------------------------


def parse_datetime(value: str | None) -> datetime | None:
    """HubSpot datetimes arrive as ISO 8601 (`2024-05-02T09:12:44.512Z`) or as epoch-ms strings."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_date(value: str | None) -> date | None:
    """A calendar date in the organization's time zone (a date-only value is taken as it is)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    parsed = parse_datetime(text)
    return timezone.localtime(parsed).date() if parsed else None


def to_epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def parse_amount(value: str | None) -> Decimal | None:
    """`"12000"`, `"12000.50"`; None when the text is not a number."""
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None


def channel(value: str | None) -> str:
    """hs_analytics_source (`ORGANIC_SEARCH`) → a lower-case channel key (`organic_search`)."""
    return (value or "").strip().lower()[:80]


# --- mapping to canonical records ---------------------------------------------------------------


class Stages:
    """Deal pipelines and stages: which stage is closed, won, qualified (from /crm/v3/pipelines/deals)."""

    def __init__(self, pipelines: list[dict]):
        self.pipelines = {p["id"]: p.get("label") or p["id"] for p in pipelines}
        self.stages: dict[str, dict] = {}
        for pipeline in pipelines:
            for stage in pipeline.get("stages", []):
                meta = stage.get("metadata") or {}
                try:
                    probability = float(meta.get("probability")) if meta.get("probability") not in (None, "") else None
                except ValueError:
                    probability = None
                self.stages[stage["id"]] = {
                    "label": stage.get("label") or stage["id"],
                    "pipeline": pipeline["id"],
                    "closed": str(meta.get("isClosed", "false")).lower() == "true",
                    "probability": probability,
                }

    def describe(self, stage_id: str) -> dict:
        return self.stages.get(stage_id, {"label": stage_id, "pipeline": "", "closed": False, "probability": None})

    def is_qualified(self, stage_id: str) -> bool:
        if settings.HUBSPOT_QUALIFIED_STAGES:
            return stage_id in settings.HUBSPOT_QUALIFIED_STAGES
        probability = self.describe(stage_id)["probability"]
        return probability is not None and probability >= settings.HUBSPOT_QUALIFIED_MIN_PROBABILITY


def _updated(obj: dict, type_: str) -> datetime | None:
    return parse_datetime(obj.get("properties", {}).get(LAST_MODIFIED[type_])) or parse_datetime(obj.get("updatedAt"))


def map_company(obj: dict) -> Record:
    props = obj.get("properties") or {}
    name = (props.get("name") or "").strip() or (props.get("domain") or "").strip()
    record = {"model": "crmcompany", "external_id": str(obj["id"]), "raw": props,
              "source_updated_at": _updated(obj, "companies")}
    if not name:
        return Record(**record, reject_reason=ReaderMessage("The company has neither a name nor a domain."))
    return Record(**record, fields={"name": name[:255], "domain": (props.get("domain") or "")[:255],
                                    "segment": (props.get("industry") or "")[:80]})


def map_contact(obj: dict) -> list[Record]:
    """A contact, and the lead it is (created when the contact was, converted when it became a customer)."""
    props = obj.get("properties") or {}
    external_id = str(obj["id"])
    updated = _updated(obj, "contacts")
    created_on = parse_date(props.get("createdate")) or parse_date(obj.get("createdAt"))
    name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p).strip()
    lifecycle = (props.get("lifecyclestage") or "").strip()
    source = channel(props.get("hs_analytics_source"))
    contact = Record(model="contact", external_id=external_id, source_updated_at=updated, raw=props, fields={
        "email": (props.get("email") or "")[:255], "name": name[:255],
        "company_external_id": props.get("associatedcompanyid") or None,
        "lifecycle_stage": lifecycle[:40], "source_channel": source, "created_on": created_on,
    })
    if created_on is None:
        reason = ReaderMessage("The contact's creation date %(value)r is not a date.", value=props.get("createdate"))
        return [contact, Record(model="lead", external_id=external_id, raw=props, reject_reason=reason)]
    converted_on = None
    if lifecycle == "customer":
        converted_on = parse_date(props.get("hs_lifecyclestage_customer_date")) or (updated and updated.date())
    lead = Record(model="lead", external_id=external_id, source_updated_at=updated, raw=props, fields={
        "created_on": created_on, "source_channel": source, "converted_on": converted_on,
        "contact_external_id": external_id,
    })
    return [contact, lead]


def map_deal(obj: dict, *, stages: Stages, owners: dict[str, str], company_id: str | None) -> Record:
    props = obj.get("properties") or {}
    external_id = str(obj["id"])
    base = {"model": "deal", "external_id": external_id, "raw": props, "source_updated_at": _updated(obj, "deals")}
    name = (props.get("dealname") or "").strip()
    if not name:
        return Record(**base, reject_reason=ReaderMessage("The deal has no name (dealname is empty)."))
    amount = parse_amount(props.get("amount"))
    if amount is None:
        return Record(**base, reject_reason=ReaderMessage("The deal amount %(value)r is not a number.",
                                                          value=props.get("amount")))
    created_on = parse_date(props.get("createdate")) or parse_date(obj.get("createdAt"))
    if created_on is None:
        return Record(**base, reject_reason=ReaderMessage("The deal's creation date %(value)r is not a date.",
                                                          value=props.get("createdate")))
    stage_id = props.get("dealstage") or ""
    stage = stages.describe(stage_id)
    probability = stage["probability"]
    is_closed = stage["closed"]
    pipeline_id = props.get("pipeline") or stage["pipeline"]
    return Record(**base, fields={
        "name": name[:255],
        "pipeline": stages.pipelines.get(pipeline_id, pipeline_id)[:80],
        "stage": stage["label"][:80],
        "amount": amount,
        "currency": (props.get("deal_currency_code") or "EUR")[:3],
        "created_on": created_on,
        "close_date": parse_date(props.get("closedate")),
        "is_closed": is_closed,
        "is_won": is_closed and probability is not None and probability >= 1.0,
        "is_qualified": stages.is_qualified(stage_id),
        "source_channel": channel(props.get("hs_analytics_source")),
        "owner_name": owners.get(props.get("hubspot_owner_id") or "", "")[:255],
        "company_external_id": company_id,
    })
