"""The data of a fake Salesforce org: users, opportunity stages, currencies, and the Account, Contact,
Lead and Opportunity records with their audit fields (`CreatedDate`, `SystemModstamp`, `IsDeleted`,
`MasterRecordId`), as SOQL returns them.

Ids look like Salesforce's 18-character ids with each object's key prefix (001 Account, 003 Contact,
00Q Lead, 006 Opportunity, 005 User). Datetimes are kept as aware datetimes and written the way the
REST API writes them (`2026-01-05T10:00:00.000+0000`); dates as `2026-03-31`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

PREFIXES = {"Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006", "User": "005"}
OBJECTS = ("Account", "Contact", "Lead", "Opportunity")
MERGEABLE = ("Account", "Contact", "Lead")
# Fields each object answers to (a SELECT naming another one is a 400 INVALID_FIELD).
FIELDS = {
    "Account": {"Id", "Name", "Website", "Industry", "CreatedDate", "SystemModstamp", "LastModifiedDate", "IsDeleted",
                "MasterRecordId", "OwnerId"},
    "Contact": {"Id", "FirstName", "LastName", "Name", "Email", "AccountId", "LeadSource", "CreatedDate",
                "SystemModstamp", "LastModifiedDate", "IsDeleted", "MasterRecordId", "OwnerId"},
    "Lead": {"Id", "FirstName", "LastName", "Name", "Email", "Company", "LeadSource", "Status", "CreatedDate",
             "IsConverted", "ConvertedDate", "ConvertedContactId", "ConvertedAccountId", "ConvertedOpportunityId",
             "SystemModstamp", "LastModifiedDate", "IsDeleted", "MasterRecordId", "OwnerId"},
    "Opportunity": {"Id", "Name", "StageName", "Amount", "CloseDate", "IsWon", "IsClosed", "Probability", "OwnerId",
                    "AccountId", "LeadSource", "CreatedDate", "SystemModstamp", "LastModifiedDate", "IsDeleted",
                    "CurrencyIsoCode", "Type"},
    "User": {"Id", "Name", "FirstName", "LastName", "Email", "IsActive", "SystemModstamp"},
    "OpportunityStage": {"Id", "ApiName", "MasterLabel", "IsActive", "IsClosed", "IsWon", "DefaultProbability",
                         "SortOrder", "ForecastCategoryName"},
    "Organization": {"Id", "Name", "IsSandbox", "DefaultCurrencyIsoCode"},
    "CurrencyType": {"Id", "IsoCode", "ConversionRate", "IsCorporate", "IsActive", "DecimalPlaces"},
    "DatedConversionRate": {"Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"},
}


def sf_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Salesforce's default sales process (Setup → Opportunity Stages): won, lost and probabilities are stage metadata.
STANDARD_STAGES = [
    ("Prospecting", 10, False, False), ("Qualification", 10, False, False), ("Needs Analysis", 20, False, False),
    ("Value Proposition", 50, False, False), ("Id. Decision Makers", 60, False, False),
    ("Perception Analysis", 70, False, False), ("Proposal/Price Quote", 75, False, False),
    ("Negotiation/Review", 90, False, False), ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False),
]


@dataclass
class SalesforceScenario:
    org_id: str = "00D5g000004BOISFA1"
    org_name: str = "Atelier Bois Fin"
    is_sandbox: bool = False
    corporate_currency: str = "EUR"
    multi_currency: bool = False
    users: dict[str, dict] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)  # CurrencyType rows (multi-currency orgs only)
    dated_rates: list[dict] = field(default_factory=list)  # DatedConversionRate rows (advanced currency management)
    records: dict[str, dict[str, dict]] = field(default_factory=lambda: {o: {} for o in OBJECTS})
    # Rows emptied from the recycle bin: gone from queryAll, still listed by /sobjects/<type>/deleted/.
    purged: dict[str, dict[str, datetime]] = field(default_factory=lambda: {o: {} for o in OBJECTS})
    _serial: int = 0

    # ---- set-up ----------------------------------------------------------------------------------

    def new_id(self, sobject: str) -> str:
        self._serial += 1
        return f"{PREFIXES[sobject]}5g0000{self._serial:06d}AAA"

    def add_standard_stages(self) -> None:
        self.stages = [{"Id": f"01J5g00000{i:04d}AAA", "ApiName": name, "MasterLabel": name, "IsActive": True,
                        "IsClosed": closed, "IsWon": won, "DefaultProbability": float(prob), "SortOrder": i + 1,
                        "ForecastCategoryName": "Closed" if won else ("Omitted" if closed else "Pipeline")}
                       for i, (name, prob, closed, won) in enumerate(STANDARD_STAGES)]

    def add_currency(self, iso: str, rate: str, *, corporate: bool = False) -> None:
        """Rates are units of `iso` per one unit of the corporate currency (Salesforce's ConversionRate)."""
        self.multi_currency = True
        if corporate:
            self.corporate_currency = iso
        self.currencies.append({"Id": f"01L5g00000{len(self.currencies):04d}AAA", "IsoCode": iso,
                                "ConversionRate": float(Decimal(rate)), "IsCorporate": corporate, "IsActive": True,
                                "DecimalPlaces": 2})

    def add_dated_rate(self, iso: str, rate: str, start: date, next_start: date) -> None:
        self.dated_rates.append({"Id": f"04w5g00000{len(self.dated_rates):04d}AAA", "IsoCode": iso,
                                 "ConversionRate": float(Decimal(rate)), "StartDate": start.isoformat(),
                                 "NextStartDate": next_start.isoformat()})

    def add_user(self, first: str, last: str, email: str) -> str:
        user_id = self.new_id("User")
        self.users[user_id] = {"Id": user_id, "FirstName": first, "LastName": last, "Name": f"{first} {last}",
                               "Email": email, "IsActive": True, "SystemModstamp": _at(2025, 1, 1)}
        return user_id

    def _add(self, sobject: str, created: datetime, modified: datetime | None, values: dict[str, Any]) -> str:
        record_id = self.new_id(sobject)
        self.records[sobject][record_id] = {"Id": record_id, "CreatedDate": created,
                                            "SystemModstamp": modified or created,
                                            "LastModifiedDate": modified or created, "IsDeleted": False,
                                            **({"MasterRecordId": None} if sobject in MERGEABLE else {}), **values}
        return record_id

    def add_account(self, *, name: str, website: str = "", industry: str = "", created: datetime,
                    modified: datetime | None = None, owner: str | None = None) -> str:
        return self._add("Account", created, modified, {"Name": name, "Website": website or None,
                                                         "Industry": industry or None, "OwnerId": owner})

    def add_contact(self, *, first: str, last: str, email: str, account: str | None = None, source: str = "",
                    created: datetime, modified: datetime | None = None) -> str:
        return self._add("Contact", created, modified, {
            "FirstName": first, "LastName": last, "Name": f"{first} {last}".strip(), "Email": email,
            "AccountId": account, "LeadSource": source or None, "OwnerId": None})

    def add_lead(self, *, first: str, last: str, email: str, company: str, source: str = "", created: datetime,
                 modified: datetime | None = None, converted_on: date | None = None, contact: str | None = None,
                 account: str | None = None, opportunity: str | None = None) -> str:
        return self._add("Lead", created, modified, {
            "FirstName": first, "LastName": last, "Name": f"{first} {last}".strip(), "Email": email,
            "Company": company, "LeadSource": source or None,
            "Status": "Closed - Converted" if converted_on else "Open - Not Contacted",
            "IsConverted": converted_on is not None, "ConvertedDate": converted_on.isoformat() if converted_on else None,
            "ConvertedContactId": contact, "ConvertedAccountId": account, "ConvertedOpportunityId": opportunity,
            "OwnerId": None})

    def stage(self, name: str) -> dict:
        return next(s for s in self.stages if s["ApiName"] == name)

    def add_opportunity(self, *, name: str, amount: str | None, stage: str, created: datetime,
                        close_date: date | None, owner: str | None = None, account: str | None = None,
                        source: str = "", currency: str | None = None, modified: datetime | None = None) -> str:
        meta = self.stage(stage)
        values = {"Name": name, "StageName": stage, "Amount": float(Decimal(amount)) if amount else None,
                  "CloseDate": close_date.isoformat() if close_date else None, "IsWon": meta["IsWon"],
                  "IsClosed": meta["IsClosed"], "Probability": meta["DefaultProbability"], "OwnerId": owner,
                  "AccountId": account, "LeadSource": source or None, "Type": "New Business"}
        if self.multi_currency:
            values["CurrencyIsoCode"] = currency or self.corporate_currency
        return self._add("Opportunity", created, modified, values)

    # ---- changes -----------------------------------------------------------------------------------

    def find(self, record_id: str) -> tuple[str, dict]:
        for sobject, rows in self.records.items():
            if record_id in rows:
                return sobject, rows[record_id]
        raise KeyError(record_id)

    def edit(self, record_id: str, *, at: datetime | None = None, **values: Any) -> None:
        """Change fields; SystemModstamp moves to `at` (now by default). A stage change brings its metadata."""
        sobject, row = self.find(record_id)
        if sobject == "Opportunity" and "StageName" in values:
            meta = self.stage(values["StageName"])
            values = {"IsWon": meta["IsWon"], "IsClosed": meta["IsClosed"],
                      "Probability": meta["DefaultProbability"], **values}
        moment = at or datetime.now(UTC)
        row.update(values, SystemModstamp=moment, LastModifiedDate=moment)

    def delete(self, record_id: str, *, at: datetime | None = None) -> None:
        """To the recycle bin: queryAll still returns it, with IsDeleted true."""
        self.edit(record_id, at=at, IsDeleted=True)

    def merge(self, loser: str, *, into: str, at: datetime | None = None) -> None:
        """A merged record is deleted and names its survivor in MasterRecordId."""
        self.edit(loser, at=at, IsDeleted=True, MasterRecordId=into)
        self.edit(into, at=at)

    def purge(self, record_id: str, *, at: datetime | None = None) -> None:
        """Deleted and emptied from the recycle bin: only the deleted-records window still names it."""
        sobject, _row = self.find(record_id)
        del self.records[sobject][record_id]
        self.purged[sobject][record_id] = at or datetime.now(UTC)

    # ---- the demo org ------------------------------------------------------------------------------

    @classmethod
    def boisfin(cls, *, seed: int = 42, today: date | None = None) -> SalesforceScenario:
        """The demo's org: a year of Atelier Bois Fin's trade accounts (shops, architects, hotels), their
        leads and made-to-measure furniture opportunities."""
        rng = random.Random(seed)
        today = today or datetime.now(UTC).date()
        s = cls()
        s.add_standard_stages()
        reps = [s.add_user("Manon", "Robin", "manon@boisfin.example"), s.add_user("Lucie", "Moreau", "lucie@boisfin.example")]
        sources = ["Web", "Partner Referral", "Phone Inquiry", "Purchased List", "Other"]
        industries = ["Retail", "Architecture", "Hospitality", "Real Estate", "Education"]
        open_stages = [name for name, _p, closed, _w in STANDARD_STAGES if not closed]
        start = today - timedelta(days=365)
        for n in range(60):
            created_day = start + timedelta(days=rng.randrange(0, 360))
            created = datetime(created_day.year, created_day.month, created_day.day, 9 + n % 8, tzinfo=UTC)
            account = s.add_account(name=f"Client {n + 1:02d}", website=f"https://client{n + 1:02d}.example",
                                    industry=rng.choice(industries), created=created)
            contact = s.add_contact(first="Contact", last=f"{n + 1:02d}", email=f"buyer@client{n + 1:02d}.example",
                                    account=account, source=rng.choice(sources), created=created)
            age = (today - created_day).days
            closing = created_day + timedelta(days=rng.randrange(20, 120))
            if closing < today and age > 45:
                stage = "Closed Won" if rng.random() < 0.35 else "Closed Lost"
            else:
                stage, closing = rng.choice(open_stages), max(closing, today + timedelta(days=rng.randrange(5, 90)))
            opportunity = s.add_opportunity(name=f"Client {n + 1:02d} — mobilier sur mesure", amount=str(rng.randrange(40, 400) * 100),
                                            stage=stage, created=created, close_date=closing, owner=rng.choice(reps),
                                            account=account, source=rng.choice(sources),
                                            modified=created + timedelta(days=min(age, 30)))
            s.add_lead(first="Contact", last=f"{n + 1:02d}", email=f"buyer@client{n + 1:02d}.example",
                       company=f"Client {n + 1:02d}", source=rng.choice(sources),
                       created=created - timedelta(days=3), converted_on=created_day, contact=contact,
                       account=account, opportunity=opportunity)
        for n in range(40):  # leads that never converted
            day = start + timedelta(days=rng.randrange(0, 360))
            s.add_lead(first="Prospect", last=f"{n + 1:02d}", email=f"hello@prospect{n + 1:02d}.example",
                       company=f"Prospect {n + 1:02d}", source=rng.choice(sources),
                       created=datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
        return s
