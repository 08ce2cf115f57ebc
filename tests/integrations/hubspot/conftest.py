"""A tiny HubSpot account for hand-computed expectations, and a connection of Acme to it.

Acme's CRM (fake): two companies, two contacts, three deals in the standard pipelines, one owner.
Every test gets its own fake, mounted in-process at settings.HUBSPOT_API_BASE_URL; rate budgets
and sync locks live in Redis db 2.
"""

import os
from datetime import UTC, datetime

import pytest

from integrations.fakes.hubspot import HubSpotFake, Limits
from integrations.fakes.hubspot_scenario import HubSpotScenario
from integrations.http import mount_transport
from integrations.models import Connection

# The run's own Redis (REDIS_URL) when set: engineers sharing one Redis must not share a queue.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
TOKEN = "pat-eu1-acme-private-app"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def hubspot_settings(settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    settings.HUBSPOT_SEARCH_INDEX_LAG_SECONDS = 0
    settings.HUBSPOT_RATE_LIMIT = (10_000, 10)
    settings.HUBSPOT_SEARCH_RATE_LIMIT = (10_000, 1)
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.TIME_ZONE = "Europe/Paris"
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("pilotage:ratelimit:hubspot*"):
        client.delete(key)
    return settings


def acme_crm() -> HubSpotScenario:
    s = HubSpotScenario(hub_id=7001)
    s.add_standard_pipelines()
    s.karim = s.add_owner("Karim", "Haddad", "karim@acme.test")
    s.boreal = s.add_company(name="Boréal SAS", domain="boreal.fr", industry="Retail",
                             created=at(2026, 1, 5, 10), modified=at(2026, 1, 6, 10))
    s.opale = s.add_company(name="Opale Conseil", domain="opale.fr", industry="Consulting",
                            created=at(2026, 2, 1, 10), modified=at(2026, 2, 2, 10))
    s.anne = s.add_contact(email="anne@boreal.fr", firstname="Anne", lastname="Petit", lifecycle="customer",
                           source="REFERRALS", company=s.boreal, created=at(2026, 1, 6, 9),
                           modified=at(2026, 4, 1, 9), customer_on=at(2026, 3, 31, 15))
    s.bruno = s.add_contact(email="bruno@gmail.example", firstname="Bruno", lastname="Roux", lifecycle="lead",
                            source="PAID_SEARCH", created=at(2026, 5, 20, 23, 30), modified=at(2026, 5, 21, 8))
    s.won = s.add_deal(name="Boréal — Pro", amount="12000", stage="closedwon", created=at(2026, 1, 10, 9),
                       closedate=at(2026, 3, 31, 12), owner=s.karim, source="REFERRALS", company=s.boreal,
                       modified=at(2026, 4, 1, 9))
    s.open = s.add_deal(name="Opale — Team", amount="8400.50", stage="contractsent", created=at(2026, 2, 3, 9),
                        closedate=at(2026, 12, 15, 12), owner=s.karim, source="ORGANIC_SEARCH", company=s.opale,
                        modified=at(2026, 6, 1, 9))
    s.early = s.add_deal(name="Inbound — Pro", amount="", stage="appointmentscheduled", created=at(2026, 5, 21, 9),
                         closedate=None, source="PAID_SEARCH", modified=at(2026, 5, 22, 9))
    return s


@pytest.fixture
def hubspot_fake(settings):
    fake = HubSpotFake(scenario=acme_crm(), limits=Limits(ten_secondly=None))
    fake.add_private_token(TOKEN)
    mount_transport(settings.HUBSPOT_API_BASE_URL, fake.transport())
    yield fake
    mount_transport(settings.HUBSPOT_API_BASE_URL, None)


@pytest.fixture
def hubspot_connection(acme, hubspot_fake):
    return Connection.objects.create(organization=acme, provider="hubspot", credentials={"token": TOKEN},
                                     provider_account_id=str(hubspot_fake.scenario.hub_id), label="HubSpot")
