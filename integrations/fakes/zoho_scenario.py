"""The data behind the Zoho CRM fake: one Zoho organization on one data centre.

Records are stored as Zoho returns them: string ids (19 digits), typed field values, `Created_Time` and
`Modified_Time` in ISO 8601 with the account's offset, lookups as `{"name", "id"}`. Deleted records
move to the recycle bin (`type: recycle`) with their deletion time. Tests build tiny accounts with
`add_*` and change them with `update` / `delete`; `bois_fin` is the demo's account (Verre & Lin's CRM).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

MODULES = ("Accounts", "Contacts", "Leads", "Deals")
PARIS = timezone(timedelta(hours=1))
# The standard Deals pipeline: stage, probability, forecast type (Zoho's Pipeline settings).
STANDARD_STAGES = [
    ("Qualification", 10, "Open"), ("Needs Analysis", 20, "Open"), ("Value Proposition", 40, "Open"),
    ("Proposal/Price Quote", 75, "Open"), ("Negotiation/Review", 90, "Open"),
    ("Closed Won", 100, "Closed Won"), ("Closed Lost", 0, "Closed Lost"),
    ("Closed Lost to Competition", 0, "Closed Lost"),
]


def zoho_time(moment: datetime) -> str:
    """Zoho's datetime on the wire: to the second, in the account's time zone, with its offset."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).replace(microsecond=0).isoformat()


@dataclass
class ZohoRecord:
    id: str
    module: str
    fields: dict
    created: datetime
    modified: datetime
    deleted: datetime | None = None

    def as_json(self, wanted: list[str]) -> dict:
        body = {"id": self.id}
        for name in wanted:
            if name == "Created_Time":
                body[name] = zoho_time(self.created)
            elif name == "Modified_Time":
                body[name] = zoho_time(self.modified)
            else:
                body[name] = self.fields.get(name)
        if self.module == "Leads":
            body["$converted"] = bool(self.fields.get("$converted"))
        return body


@dataclass
class ZohoUser:
    id: str
    full_name: str
    email: str
    status: str = "active"


@dataclass
class ZohoScenario:
    org_id: str = "20071234567"
    company_name: str = "Acme"
    region: str = "eu"
    currency: str = "EUR"
    users: list[ZohoUser] = field(default_factory=list)
    stages: list[tuple[str, int, str]] = field(default_factory=lambda: list(STANDARD_STAGES))
    records: dict[str, dict[str, ZohoRecord]] = field(default_factory=lambda: {m: {} for m in MODULES})
    _next: int = 5725767000000400000
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    def add_user(self, full_name: str, email: str = "", *, active: bool = True) -> ZohoUser:
        user = ZohoUser(self._id(), full_name, email or f"{full_name.split()[0].lower()}@example.test",
                        "active" if active else "deleted")
        self.users.append(user)
        return user

    def _add(self, module: str, fields: dict, created, modified) -> ZohoRecord:
        created = created or self.now()
        record = ZohoRecord(self._id(), module, fields, created, modified or created)
        with self.lock:
            self.records[module][record.id] = record
        return record

    @staticmethod
    def _lookup(record: ZohoRecord | None, name_field: str) -> dict | None:
        return {"name": record.fields.get(name_field), "id": record.id} if record else None

    def add_account(self, *, name: str, website: str = "", industry: str = "", created=None, modified=None):
        return self._add("Accounts", {"Account_Name": name, "Website": website, "Industry": industry},
                         created, modified)

    def add_contact(self, *, first: str, last: str, email: str, account: ZohoRecord | None = None,
                    source: str | None = None, created=None, modified=None):
        return self._add("Contacts", {"First_Name": first, "Last_Name": last, "Email": email,
                                      "Account_Name": self._lookup(account, "Account_Name"), "Lead_Source": source},
                         created, modified)

    def add_lead(self, *, first: str, last: str, email: str, company: str = "", source: str | None = None,
                 converted_at: datetime | None = None, created=None, modified=None):
        return self._add("Leads", {"First_Name": first, "Last_Name": last, "Email": email, "Company": company,
                                   "Lead_Source": source, "Lead_Status": "Converted" if converted_at else "Not Contacted",
                                   "$converted": converted_at is not None,
                                   "Converted_Date_Time": zoho_time(converted_at) if converted_at else None},
                         created, modified)

    def add_deal(self, *, name: str, stage: str = "Qualification", amount: float | None = 10000,
                 currency: str | None = None, exchange_rate: float = 1.0, closing: date | None = None,
                 owner: ZohoUser | None = None, account: ZohoRecord | None = None, source: str | None = None,
                 created=None, modified=None):
        probability = next((p for s, p, _ in self.stages if s == stage), 10)
        return self._add("Deals", {
            "Deal_Name": name, "Stage": stage, "Pipeline": "Standard", "Amount": amount,
            "Currency": currency or self.currency, "Exchange_Rate": exchange_rate,
            "Closing_Date": closing.isoformat() if closing else None, "Probability": probability,
            "Owner": {"name": owner.full_name, "id": owner.id, "email": owner.email} if owner else None,
            "Account_Name": self._lookup(account, "Account_Name"), "Lead_Source": source,
        }, created, modified)

    def bulk_accounts(self, n: int, *, created: datetime) -> None:
        for i in range(n):
            self._add("Accounts", {"Account_Name": f"Compte {i}", "Website": f"compte{i}.example", "Industry": ""},
                      created, created)

    def update(self, record: ZohoRecord, *, at: datetime | None = None, **fields) -> ZohoRecord:
        with self.lock:
            record.fields.update(fields)
            if "Stage" in fields:
                record.fields["Probability"] = next((p for s, p, _ in self.stages if s == fields["Stage"]), 10)
            record.modified = at or self.now()
        return record

    def delete(self, record: ZohoRecord, *, at: datetime | None = None) -> ZohoRecord:
        with self.lock:
            record.deleted = at or self.now()
        return record

    def live(self, module: str) -> list[ZohoRecord]:
        return sorted((r for r in self.records[module].values() if r.deleted is None), key=lambda r: int(r.id))

    def deleted(self, module: str) -> list[ZohoRecord]:
        return sorted((r for r in self.records[module].values() if r.deleted is not None), key=lambda r: int(r.id))

    # ---- the demo's account -------------------------------------------------------------------------

    @classmethod
    def bois_fin(cls, *, seed: int = 42, today: date | None = None) -> ZohoScenario:
        """Verre & Lin's CRM (homeware maker selling to fitters and retailers, on zoho.eu): 18 months of
        B2B deals, its Swiss customer's in CHF, a rep who left, two deals in the recycle bin."""
        rng = random.Random(seed)
        today = today or date.today()
        s = cls(org_id="20087654321", company_name="Verre & Lin", region="eu")
        reps = [s.add_user("Claire Fontaine", "claire@verrelin.demo"), s.add_user("Marc Vidal", "marc@verrelin.demo"),
                s.add_user("Hugo Perrin", "hugo@verrelin.demo", active=False)]
        now = datetime.now(UTC) - timedelta(minutes=1)

        def moment(d: date) -> datetime:
            return min(datetime(d.year, d.month, d.day, 9, tzinfo=UTC), now)

        accounts = []
        for i, root in enumerate(["Menuiserie Arnaud", "Charpentes du Jura", "Agencement Loire", "Atelier Sapin",
                                  "Ébénisterie Morel", "Parquets Dubois", "Bâtir Bois 38", "Scierie des Vosges",
                                  "Maison Ossature", "Escaliers Lemoine", "Cuisines Fabre", "Chalets Alpins"]):
            created = today - timedelta(days=540 - i * 20)
            accounts.append(s.add_account(name=root, website=f"{root.lower().replace(' ', '-')}.fr",
                                          industry=rng.choice(["Construction", "Manufacturing", "Retail"]),
                                          created=moment(created)))
            s.add_contact(first=rng.choice(["Anne", "Paul", "Léa", "Marc"]), last=root.split()[-1],
                          email=f"achats@{root.lower().replace(' ', '-')}.fr", account=accounts[-1],
                          source=rng.choice(["Trade Show", "Partner", "Web Site"]), created=moment(created))
        for i in range(40):
            created = today - timedelta(days=rng.randint(5, 540))
            converted = moment(created + timedelta(days=rng.randint(5, 40))) if rng.random() < 0.3 else None
            if converted and converted.date() > today:
                converted = None
            s.add_lead(first="Prospect", last=str(i), email=f"prospect{i}@example.fr",
                       source=rng.choice(["Trade Show", "Web Site", "Cold Call", "Partner"]),
                       converted_at=converted, created=moment(created), modified=converted or moment(created))
        for i in range(60):
            account = rng.choice(accounts)
            created = today - timedelta(days=rng.randint(10, 520))
            close = created + timedelta(days=rng.randint(20, 90))
            if close <= today:
                stage = "Closed Won" if rng.random() < 0.35 else rng.choice(["Closed Lost", "Closed Lost to Competition"])
            else:
                stage = rng.choice([st for st, _, kind in STANDARD_STAGES if kind == "Open"])
            swiss = account.fields["Account_Name"] == "Chalets Alpins"
            s.add_deal(name=f"{account.fields['Account_Name']} — commande {i + 1}", stage=stage,
                       amount=float(rng.choice([4800, 7500, 12000, 18500, 26000])),
                       currency="CHF" if swiss else "EUR", exchange_rate=0.94 if swiss else 1.0,
                       closing=close, owner=rng.choice(reps), account=account,
                       source=rng.choice(["Trade Show", "Partner", "Web Site"]), created=moment(created),
                       modified=moment(min(close, today)))
        for deal in rng.sample(s.live("Deals"), 2):
            s.delete(deal, at=min(deal.modified + timedelta(days=3), now))
        return s


def real_now() -> float:
    return time.time()
