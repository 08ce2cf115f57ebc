"""The data behind the HubSpot fake: a small CRM that evolves while a test or the demo watches it.

Objects are stored the way HubSpot returns them: an id, string-typed properties, created and
updated times (epoch ms inside, ISO 8601 on the wire), and an archived flag. `HubSpotScenario.nuage`
builds the demo's Nuage Analytics account (B2B SaaS, 24 months of deals up to today); tests build
their own tiny accounts with `add_*` and change them with `update` / `archive`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

OBJECT_TYPES = ("companies", "contacts", "deals")
# The property that search filters on to find changes (contacts differ from the other objects).
LAST_MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate", "deals": "hs_lastmodifieddate"}

# HubSpot's default sales pipeline, with French-market labels; probability drives is_won/is_qualified.
SALES_STAGES = [
    ("appointmentscheduled", "Discovery call", "0.1", False),
    ("qualifiedtobuy", "Qualified", "0.3", False),
    ("presentationscheduled", "Demo done", "0.5", False),
    ("decisionmakerboughtin", "Proposal sent", "0.7", False),
    ("contractsent", "Negotiation", "0.9", False),
    ("closedwon", "Closed won", "1.0", True),
    ("closedlost", "Closed lost", "0.0", True),
]
EXPANSION_STAGES = [
    ("exp_open", "Upsell identified", "0.5", False),
    ("exp_won", "Upsell won", "1.0", True),
    ("exp_lost", "Upsell lost", "0.0", True),
]
SOURCES = [  # hs_analytics_source values and their weight among Nuage's leads
    ("ORGANIC_SEARCH", 30), ("REFERRALS", 20), ("PAID_SEARCH", 15), ("SOCIAL_MEDIA", 10),
    ("EMAIL_MARKETING", 10), ("DIRECT_TRAFFIC", 10), ("OFFLINE", 5),
]


def to_ms(value: datetime | date | int) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 9, 0, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def iso(ms: int) -> str:
    """HubSpot's datetime format on the wire: UTC with milliseconds and a Z."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def real_now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class FakeObject:
    id: int
    type: str
    props: dict[str, str]
    created_ms: int
    updated_ms: int
    archived_ms: int | None = None
    company_id: int | None = None  # deal → company association (v4), primary

    @property
    def archived(self) -> bool:
        return self.archived_ms is not None

    def value(self, name: str) -> str | None:
        if name == "hs_object_id":
            return str(self.id)
        return self.props.get(name)

    def as_json(self, properties: list[str] | None) -> dict:
        wanted = properties or list(DEFAULT_PROPERTIES[self.type])
        props = {name: self.value(name) for name in wanted}
        props.setdefault("hs_object_id", str(self.id))
        props.setdefault("createdate", self.props.get("createdate"))
        props.setdefault(LAST_MODIFIED[self.type], self.props.get(LAST_MODIFIED[self.type]))
        body = {
            "id": str(self.id),
            "properties": props,
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.updated_ms),
            "archived": self.archived,
        }
        if self.archived:
            body["archivedAt"] = iso(self.archived_ms)
        return body


DEFAULT_PROPERTIES = {
    "companies": ("name", "domain", "createdate", "hs_lastmodifieddate"),
    "contacts": ("firstname", "lastname", "email", "createdate", "lastmodifieddate"),
    "deals": ("dealname", "amount", "dealstage", "pipeline", "closedate", "createdate", "hs_lastmodifieddate"),
}


@dataclass
class Owner:
    id: int
    first_name: str
    last_name: str
    email: str
    archived: bool = False  # a rep who left: still named on their deals, listed with ?archived=true


@dataclass
class HubSpotScenario:
    hub_id: int = 14672093
    now: Callable[[], int] = real_now_ms
    pipelines: list[dict] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    objects: dict[str, dict[int, FakeObject]] = field(default_factory=lambda: {t: {} for t in OBJECT_TYPES})
    _next_id: int = 1000
    version: int = 0  # bumped by every change, so the server may cache query results between changes
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # ---- building ----------------------------------------------------------------------------

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_pipeline(self, pipeline_id: str, label: str, stages: list[tuple[str, str, str, bool]]) -> None:
        stamp = iso(to_ms(datetime(2023, 1, 2, tzinfo=UTC)))
        self.pipelines.append({
            "id": pipeline_id, "label": label, "displayOrder": len(self.pipelines), "archived": False,
            "createdAt": stamp, "updatedAt": stamp,
            "stages": [
                {"id": sid, "label": slabel, "displayOrder": i, "archived": False,
                 "metadata": {"isClosed": "true" if closed else "false", "probability": prob},
                 "createdAt": stamp, "updatedAt": stamp, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}
                for i, (sid, slabel, prob, closed) in enumerate(stages)
            ],
        })

    def add_standard_pipelines(self) -> None:
        self.add_pipeline("default", "Sales Pipeline", SALES_STAGES)
        self.add_pipeline("expansion", "Expansion", EXPANSION_STAGES)

    def add_owner(self, first_name: str, last_name: str, email: str = "", *, archived: bool = False) -> Owner:
        owner = Owner(self._id(), first_name, last_name, email or f"{first_name.lower()}@nuage.demo", archived)
        self.owners.append(owner)
        return owner

    def _add(self, type_: str, props: dict, created, modified) -> FakeObject:
        created_ms = to_ms(created) if created is not None else self.now()
        modified_ms = to_ms(modified) if modified is not None else max(created_ms, self.now())
        obj_id = self._id()
        props = {k: ("" if v is None else str(v)) for k, v in props.items()}
        props.setdefault("createdate", iso(created_ms))
        props["hs_object_id"] = str(obj_id)
        props[LAST_MODIFIED[type_]] = iso(modified_ms)
        obj = FakeObject(obj_id, type_, props, created_ms, modified_ms)
        with self.lock:
            self.objects[type_][obj_id] = obj
            self.version += 1
        return obj

    def add_company(self, *, name: str, domain: str = "", industry: str = "", created=None,
                    modified=None) -> FakeObject:
        return self._add("companies", {"name": name, "domain": domain, "industry": industry}, created, modified)

    def add_contact(self, *, email: str, firstname: str = "", lastname: str = "", lifecycle: str = "lead",
                    source: str = "ORGANIC_SEARCH", company: FakeObject | None = None, created=None,
                    modified=None, customer_on=None) -> FakeObject:
        props = {"email": email, "firstname": firstname, "lastname": lastname, "lifecyclestage": lifecycle,
                 "hs_analytics_source": source, "associatedcompanyid": company.id if company else ""}
        if customer_on is not None:
            props["hs_lifecyclestage_customer_date"] = iso(to_ms(customer_on))
        return self._add("contacts", props, created, modified)

    def add_deal(self, *, name: str, amount: str = "10000", stage: str = "appointmentscheduled",
                 pipeline: str = "default", created=None, closedate=None, owner: Owner | None = None,
                 source: str = "ORGANIC_SEARCH", company: FakeObject | None = None, modified=None,
                 extra: dict | None = None) -> FakeObject:
        props = {"dealname": name, "amount": amount, "dealstage": stage, "pipeline": pipeline,
                 "closedate": iso(to_ms(closedate)) if closedate is not None else "",
                 "hubspot_owner_id": owner.id if owner else "", "hs_analytics_source": source,
                 "deal_currency_code": "EUR", **(extra or {})}
        obj = self._add("deals", props, created, modified)
        obj.company_id = company.id if company else None
        return obj

    def bulk_contacts(self, n: int, *, start: datetime, step_ms: int = 1000, same_ms_every: int = 1) -> None:
        """Many contacts cheaply (search-cap tests); `same_ms_every=k` gives k contacts each timestamp."""
        base = to_ms(start)
        for i in range(n):
            ms = base + (i // same_ms_every) * step_ms
            self._add("contacts", {"email": f"bulk{i}@example.test", "firstname": "Bulk", "lastname": str(i),
                                   "lifecyclestage": "subscriber", "hs_analytics_source": "DIRECT_TRAFFIC"},
                      ms, ms)
        self.version += 1

    # ---- evolving ----------------------------------------------------------------------------

    def update(self, obj: FakeObject, *, at: int | None = None, **props) -> FakeObject:
        with self.lock:
            ms = at if at is not None else self.now()
            for key, value in props.items():
                if key == "company":
                    obj.company_id = value.id if value else None
                    continue
                obj.props[key] = "" if value is None else str(value)
            obj.updated_ms = ms
            obj.props[LAST_MODIFIED[obj.type]] = iso(ms)
            self.version += 1
        return obj

    def archive(self, obj: FakeObject, *, at: int | None = None) -> FakeObject:
        with self.lock:
            obj.archived_ms = at if at is not None else self.now()
            obj.updated_ms = obj.archived_ms
            self.version += 1
        return obj

    def restore(self, obj: FakeObject, *, at: int | None = None) -> FakeObject:
        """Un-archive (HubSpot touches the restored record's last-modified time)."""
        with self.lock:
            obj.archived_ms = None
        return self.update(obj, at=at)

    def evolve(self, steps: int, *, seed: int = 0) -> None:
        """Life goes on in the CRM: per step, a new inbound lead arrives and one open deal moves on;
        now and then a subscriber is archived (a duplicate merged away)."""
        with self.lock:
            rng = random.Random(seed * 7919 + self.version)
            for _ in range(steps):
                n = len(self.objects["contacts"])
                self.add_contact(email=f"inbound{n}@prospect.example", firstname="Nouveau", lastname=f"Contact {n}",
                                 lifecycle="lead", source=rng.choice([s for s, _ in SOURCES]))
                subscribers = [c for c in self.live("contacts") if c.props.get("lifecyclestage") == "subscriber"]
                if subscribers and rng.random() < 0.25:
                    self.archive(rng.choice(subscribers))
                open_deals = [d for d in self.live("deals")
                              if d.props.get("dealstage") not in ("closedwon", "closedlost", "exp_won", "exp_lost")]
                if not open_deals:
                    continue
                deal = rng.choice(open_deals)
                order = [sid for sid, *_ in SALES_STAGES]
                stage = deal.props.get("dealstage")
                if stage in order[:4]:
                    self.update(deal, dealstage=order[order.index(stage) + 1])
                elif stage == "contractsent":
                    self.update(deal, dealstage="closedwon" if rng.random() < 0.5 else "closedlost",
                                closedate=iso(self.now()))

    # ---- reading (the server side) -----------------------------------------------------------

    def live(self, type_: str) -> list[FakeObject]:
        return [o for o in self.objects[type_].values() if not o.archived]

    def archived(self, type_: str) -> list[FakeObject]:
        return [o for o in self.objects[type_].values() if o.archived]

    def expected_counts(self) -> dict[str, int]:
        return {t: len(self.live(t)) for t in OBJECT_TYPES}

    # ---- the demo's account ------------------------------------------------------------------

    @classmethod
    def nuage(cls, *, seed: int = 42, today: date | None = None, malformed: bool = True) -> HubSpotScenario:
        """Nuage Analytics: B2B SaaS, 24 months of deals, ~25 % win rate, open pipeline for next quarter."""
        rng = random.Random(seed)
        scenario = cls()
        today = today or date.today()
        now_ms = real_now_ms()

        def clamp(d: date | datetime) -> int:
            return min(to_ms(d), now_ms - 60_000)

        scenario.add_standard_pipelines()
        reps = [scenario.add_owner(f, l, f"{f.lower()}.{l.lower()}@nuage.demo") for f, l in
                [("Karim", "Haddad"), ("Sophie", "Martin"), ("Julien", "Moreau"), ("Camille", "Laurent")]]
        lea = scenario.add_owner("Léa", "Dupuis", "cro@nuage.demo")

        prefixes = ["Atelier", "Groupe", "Maison", "Cabinet", "Société", "Labo", "Compagnie", "Studio"]
        roots = ["Durand", "Lumière", "Garonne", "Hexagone", "Boréal", "Vauban", "Cévennes", "Rivoli", "Opale",
                 "Aurore", "Colbert", "Iroise", "Sologne", "Mistral", "Cassis", "Vercors", "Loire", "Azur"]
        industries = ["Retail", "Manufacturing", "Logistics", "Healthcare", "Financial services", "Software",
                      "Hospitality", "Construction"]
        sources = [s for s, _ in SOURCES]
        weights = [w for _, w in SOURCES]
        first_names = ["Anne", "Bruno", "Céline", "David", "Élodie", "François", "Gaëlle", "Henri", "Isabelle",
                       "Jérôme", "Laure", "Mathieu", "Nadia", "Olivier", "Pauline", "Romain", "Sandrine", "Yann"]
        last_names = ["Bernard", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Simon", "Michel",
                      "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Mercier"]

        start = today - timedelta(days=730)
        companies = []
        used = set()
        while len(companies) < 110:
            name = f"{rng.choice(prefixes)} {rng.choice(roots)}"
            if name in used:
                continue
            used.add(name)
            created = start + timedelta(days=rng.randint(0, 700))
            slug = name.lower().replace(" ", "-").replace("é", "e").replace("è", "e").replace("ô", "o")
            companies.append(scenario.add_company(
                name=name, domain=f"{slug}.fr", industry=rng.choice(industries),
                created=clamp(created), modified=clamp(created + timedelta(days=rng.randint(0, 30))),
            ))

        won_companies: dict[int, date] = {}
        amounts = [6000, 9600, 12000, 14400, 18000, 24000, 30000, 36000, 48000, 60000]
        open_stages = [s for s in SALES_STAGES if not s[3]]
        for month in range(24, -1, -1):
            month_start = today - timedelta(days=30 * month)
            for _ in range(9 + (24 - month) // 3):
                created = month_start - timedelta(days=rng.randint(0, 29))
                if created < start:
                    continue
                company = rng.choice(companies) if rng.random() > 0.05 else None
                amount = rng.choice(amounts) + rng.randint(-10, 10) * 100
                cycle = rng.randint(20, 95)
                close = created + timedelta(days=cycle)
                owner = rng.choice(reps)
                source = rng.choices(sources, weights)[0]
                name = f"{company.props['name'] if company else 'Inbound'} — Nuage {rng.choice(['Pro', 'Team', 'Enterprise'])}"
                if close <= today:
                    won = rng.random() < 0.26
                    stage = "closedwon" if won else "closedlost"
                    if won and company is not None:
                        won_companies.setdefault(company.id, close)
                    modified = close + timedelta(days=rng.randint(0, 3))
                else:
                    stage = rng.choices([s[0] for s in open_stages], [15, 30, 25, 20, 10])[0]
                    close = today + timedelta(days=rng.randint(15, 120))
                    modified = today - timedelta(days=rng.randint(0, 10))
                scenario.add_deal(name=name, amount=str(amount), stage=stage, created=clamp(created),
                                  closedate=close, owner=owner, source=source, company=company,
                                  modified=clamp(max(modified, created)))
        # Expansion deals on existing customers.
        for company_id, won_on in list(won_companies.items())[:25]:
            created = won_on + timedelta(days=rng.randint(60, 300))
            if created > today:
                continue
            close = created + timedelta(days=rng.randint(15, 60))
            if close <= today:
                stage = "exp_won" if rng.random() < 0.55 else "exp_lost"
                modified = close
            else:
                stage, modified = "exp_open", today - timedelta(days=rng.randint(0, 5))
            company = scenario.objects["companies"][company_id]
            scenario.add_deal(name=f"{company.props['name']} — upsell", amount=str(rng.choice([3600, 6000, 9600])),
                              stage=stage, pipeline="expansion", created=clamp(created), closedate=close,
                              owner=lea, source="OFFLINE", company=company, modified=clamp(max(modified, created)))

        for company in companies:
            for _ in range(rng.randint(2, 4)):
                first, last = rng.choice(first_names), rng.choice(last_names)
                created = date.fromtimestamp(company.created_ms / 1000) + timedelta(days=rng.randint(0, 20))
                won_on = won_companies.get(company.id)
                lifecycle = "customer" if won_on else rng.choice(
                    ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity"])
                domain = company.props["domain"]
                email = f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{domain}"
                scenario.add_contact(email=email, firstname=first, lastname=last, lifecycle=lifecycle,
                                     source=rng.choices(sources, weights)[0], company=company,
                                     created=clamp(min(created, today)), modified=clamp(min(created, today)),
                                     customer_on=won_on)
        for i in range(120):  # inbound leads not (yet) tied to a company
            created = start + timedelta(days=rng.randint(0, 729))
            scenario.add_contact(email=f"lead{i}@gmail.example", firstname=rng.choice(first_names),
                                 lastname=rng.choice(last_names), lifecycle=rng.choice(["subscriber", "lead"]),
                                 source=rng.choices(sources, weights)[0], created=clamp(created),
                                 modified=clamp(created))
        # Real CRMs hold archived records (deleted by hand, or merged): a few contacts and deals of
        # each kind, read by the connector from `?archived=true` lists (their own generator, so the
        # rest of the account stays what it was).
        bin_rng = random.Random(seed + 1)
        contacts = sorted(scenario.live("contacts"), key=lambda o: o.id)
        for contact in bin_rng.sample(contacts, 6):
            scenario.archive(contact, at=clamp(date.fromtimestamp(contact.created_ms / 1000) + timedelta(days=40)))
        deals = sorted(scenario.live("deals"), key=lambda o: o.id)
        for stage, count in (("closedlost", 2), ("appointmentscheduled", 1)):
            for deal in bin_rng.sample([d for d in deals if d.props.get("dealstage") == stage], count):
                scenario.archive(deal, at=clamp(date.fromtimestamp(deal.updated_ms / 1000) + timedelta(days=7)))
        if malformed:
            # What real CRMs contain: a hand-typed amount and a deal created through a broken import.
            scenario.add_deal(name="Groupe Opale — renewal", amount="12 OOO", stage="qualifiedtobuy",
                              created=clamp(today - timedelta(days=20)), closedate=today + timedelta(days=40),
                              owner=reps[0], modified=clamp(today - timedelta(days=2)))
            bad = scenario.add_deal(name="", amount="8000", stage="presentationscheduled",
                                    created=clamp(today - timedelta(days=12)), closedate=today + timedelta(days=30),
                                    owner=reps[1], modified=clamp(today - timedelta(days=1)))
            bad.props["dealname"] = ""
        return scenario
