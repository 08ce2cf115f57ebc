"""A tiny Salesforce org for hand-computed expectations, and a connection of Acme to it.

Acme's org (fake) holds the same CRM as the HubSpot tests' account: two accounts, two contacts, two
leads (one converted), three opportunities in Salesforce's default stages, one owner. Every test gets
its own fake, mounted in-process at the production login host and the org's instance URL; rate
budgets and refresh locks live in the run's Redis.
"""

import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from integrations.fakes.salesforce import SalesforceFake
from integrations.fakes.salesforce_scenario import SalesforceScenario
from integrations.http import mount_transport
from integrations.models import Connection

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
INSTANCE = "http://acme.my.salesforce.fake"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def salesforce_settings(settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    settings.SALESFORCE_RATE_LIMIT = (10_000, 10)
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.TIME_ZONE = "Europe/Paris"
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("pilotage:ratelimit:salesforce*"):
        client.delete(key)
    return settings


def acme_org() -> SalesforceScenario:
    s = SalesforceScenario(org_id="00D5g000000ACMEEA2", org_name="Acme")
    s.add_standard_stages()
    s.karim = s.add_user("Karim", "Haddad", "karim@acme.test")
    s.boreal = s.add_account(name="Boréal SAS", website="https://www.boreal.fr", industry="Retail",
                             created=at(2026, 1, 5, 10), modified=at(2026, 1, 6, 10))
    s.opale = s.add_account(name="Opale Conseil", website="opale.fr", industry="Consulting",
                            created=at(2026, 2, 1, 10), modified=at(2026, 2, 2, 10))
    s.anne = s.add_contact(first="Anne", last="Petit", email="anne@boreal.fr", account=s.boreal,
                           source="Partner Referral", created=at(2026, 1, 6, 9), modified=at(2026, 4, 1, 9))
    s.bruno = s.add_contact(first="Bruno", last="Roux", email="bruno@gmail.example", source="Web",
                            created=at(2026, 5, 20, 23, 30), modified=at(2026, 5, 21, 8))
    s.won = s.add_opportunity(name="Boréal — Pro", amount="12000", stage="Closed Won", created=at(2026, 1, 10, 9),
                              close_date=date(2026, 3, 31), owner=s.karim, source="Partner Referral",
                              account=s.boreal, modified=at(2026, 4, 1, 9))
    s.open = s.add_opportunity(name="Opale — Team", amount="8400.50", stage="Negotiation/Review",
                               created=at(2026, 2, 3, 9), close_date=date(2026, 12, 15), owner=s.karim,
                               source="Web", account=s.opale, modified=at(2026, 6, 1, 9))
    s.early = s.add_opportunity(name="Inbound — Pro", amount=None, stage="Needs Analysis", created=at(2026, 5, 21, 9),
                                close_date=None, source="Web", modified=at(2026, 5, 22, 9))
    s.anne_lead = s.add_lead(first="Anne", last="Petit", email="anne@boreal.fr", company="Boréal SAS",
                             source="Partner Referral", created=at(2026, 1, 6, 9), modified=at(2026, 3, 31, 15),
                             converted_on=date(2026, 3, 31), contact=s.anne, account=s.boreal,
                             opportunity=s.won)
    s.bruno_lead = s.add_lead(first="Bruno", last="Roux", email="bruno@gmail.example", company="—", source="Web",
                              created=at(2026, 5, 20, 23, 30), modified=at(2026, 5, 21, 8))
    return s


def mount(fake: SalesforceFake, settings) -> None:
    for base in (*settings.SALESFORCE_LOGIN_HOSTS.values(), fake.instance_url):
        mount_transport(base, fake.transport())


def unmount(fake: SalesforceFake, settings) -> None:
    for base in (*settings.SALESFORCE_LOGIN_HOSTS.values(), fake.instance_url):
        mount_transport(base, None)


@pytest.fixture
def salesforce_fake(settings):
    fake = SalesforceFake(scenario=acme_org(), instance_url=INSTANCE)
    mount(fake, settings)
    yield fake
    unmount(fake, settings)


def connection_to(org, fake: SalesforceFake, *, expires_in: float = 7000, login: str = "production") -> Connection:
    """Acme's connection as the OAuth callback stores it (tokens from the fake's token endpoint)."""
    tokens = fake.issue_tokens()
    return Connection.objects.create(
        organization=org, provider="salesforce", provider_account_id=fake.scenario.org_id, label="Salesforce",
        credentials={"auth": "oauth", "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                     "expires_at": time.time() + expires_in, "scopes": ["api", "refresh_token"],
                     "instance_url": tokens["instance_url"], "login_host": login})


@pytest.fixture
def salesforce_connection(acme, salesforce_fake):
    return connection_to(acme, salesforce_fake)


def ago(seconds: float) -> datetime:
    """A stamp a little before the next sync starts (a sync reads up to its start, to the second)."""
    return datetime.now(UTC) - timedelta(seconds=seconds)
