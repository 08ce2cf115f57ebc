"""A tiny Zoho CRM organization on the .eu data centre, and a connection of Acme to it.

Acme's CRM (fake): two accounts, two contacts, two leads (one converted), three deals (won, in
negotiation, early; one in CHF), two users. Every test gets its own fake, mounted in-process on the
hosts of settings.ZOHO_DATA_CENTRES; rate budgets and OAuth locks live in the run's Redis.
"""

import os
import time
from datetime import UTC, date, datetime

import pytest

from integrations.fakes.zoho import ZohoFake, configured_hosts
from integrations.fakes.zoho_scenario import ZohoScenario
from integrations.http import mount_transport
from integrations.models import Connection

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/10"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def zoho_settings(settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    settings.ZOHO_RATE_LIMIT = (10_000, 1)
    settings.ZOHO_CREDIT_RESERVE = 0
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.TIME_ZONE = "Europe/Paris"
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("pilotage:ratelimit:zoho*"):
        client.delete(key)
    return settings


def acme_crm() -> ZohoScenario:
    s = ZohoScenario(org_id="20071234567", company_name="Acme", region="eu")
    s.karim = s.add_user("Karim Haddad", "karim@acme.test")
    s.left = s.add_user("Sophie Martin", "sophie@acme.test", active=False)
    s.boreal = s.add_account(name="Boréal SAS", website="https://www.boreal.fr", industry="Retail",
                             created=at(2026, 1, 5, 10), modified=at(2026, 1, 6, 10))
    s.alpes = s.add_account(name="Alpes Bois AG", website="alpesbois.ch", industry="Construction",
                            created=at(2026, 2, 1, 10), modified=at(2026, 2, 2, 10))
    s.anne = s.add_contact(first="Anne", last="Petit", email="anne@boreal.fr", account=s.boreal, source="Partner",
                           created=at(2026, 1, 6, 9), modified=at(2026, 4, 1, 9))
    s.hans = s.add_contact(first="Hans", last="Keller", email="hans@alpesbois.ch", account=s.alpes,
                           created=at(2026, 2, 2, 9), modified=at(2026, 2, 2, 9))
    s.bruno = s.add_lead(first="Bruno", last="Roux", email="bruno@gmail.example", source="Web Site",
                         created=at(2026, 5, 20, 21, 30), modified=at(2026, 5, 21, 8))
    s.claire = s.add_lead(first="Claire", last="Blanc", email="claire@boreal.fr", source="Trade Show",
                          converted_at=at(2026, 3, 2, 15), created=at(2026, 1, 3, 9), modified=at(2026, 3, 2, 15))
    s.won = s.add_deal(name="Boréal — Pro", stage="Closed Won", amount=12000, closing=date(2026, 3, 31),
                       owner=s.karim, account=s.boreal, source="Partner", created=at(2026, 1, 10, 9),
                       modified=at(2026, 4, 1, 9))
    s.open = s.add_deal(name="Alpes — chalets", stage="Negotiation/Review", amount=9400, currency="CHF",
                        exchange_rate=0.94, closing=date(2026, 12, 15), owner=s.left, account=s.alpes,
                        source="Trade Show", created=at(2026, 2, 3, 9), modified=at(2026, 6, 1, 9))
    s.early = s.add_deal(name="Inbound — Pro", stage="Qualification", amount=None, source="Web Site",
                         created=at(2026, 5, 21, 9), modified=at(2026, 5, 22, 9))
    return s


@pytest.fixture
def zoho_fake(settings):
    fake = ZohoFake(scenario=acme_crm(), hosts=configured_hosts())
    transport = fake.transport()
    for accounts, api in settings.ZOHO_DATA_CENTRES.values():
        mount_transport(accounts, transport)
        mount_transport(api, transport)
    yield fake
    for accounts, api in settings.ZOHO_DATA_CENTRES.values():
        mount_transport(accounts, None)
        mount_transport(api, None)


def zoho_credentials(fake: ZohoFake) -> dict:
    tokens = fake.issue_tokens()
    return {"auth": "oauth", "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
            "expires_at": time.time() + 3600, "scopes": tokens["scope"].split(","),
            "accounts_server": fake.accounts_server(), "api_domain": fake.api_domain(), "region": "eu"}


@pytest.fixture
def zoho_connection(acme, zoho_fake):
    return Connection.objects.create(organization=acme, provider="zoho", credentials=zoho_credentials(zoho_fake),
                                     provider_account_id=zoho_fake.scenario.org_id, label="Zoho CRM")
