"""A Sage business served by the fake (integrations/fakes/sage_scenario.py) and Acme's connection to it:
10 PCG ledger accounts (French edition), 3 customers and 1 supplier, 12 sales invoices (every other one
paid 20 days later, one in USD at 0.9), a draft and a voided invoice, a credit note allocated to the
second invoice, 2 purchase invoices and a payroll journal, each document with its ledger entries."""

import time
from datetime import date

import pytest

from integrations.fakes.sage import SageFake
from integrations.fakes.sage_scenario import BUSINESS_ID, demo_business
from integrations.http import mount_transport
from integrations.models import Connection

ACCESS = "sage-at-acme"
REFRESH = "sage-rt-acme"
BASE = "http://sage.fake"


def sage_fake_for(settings, business) -> SageFake:
    settings.INTEGRATIONS_REDIS_URL = ""
    settings.SAGE_RATE_LIMIT = (10_000, 60)
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.SAGE_API_BASE_URL = f"{BASE}/v3.1"
    settings.SAGE_TOKEN_URL = f"{BASE}/token"
    settings.SAGE_CLIENT_ID = SageFake.client_id
    settings.SAGE_CLIENT_SECRET = SageFake.client_secret
    fake = SageFake([business], tokens={ACCESS: "user"})
    fake.refresh_tokens[REFRESH] = time.time() + 3600
    fake.business = business
    mount_transport(BASE, fake.transport())
    return fake


@pytest.fixture
def sage_fake(settings):
    yield sage_fake_for(settings, demo_business(today=date.today()))
    mount_transport(BASE, None)


def sage_connection(org, *, expires_in: float = 300, access: str = ACCESS, country: str = "FR") -> Connection:
    return Connection.objects.create(
        organization=org, provider="sage", provider_account_id=BUSINESS_ID, label="Sage",
        credentials={"auth": "oauth", "access_token": access, "refresh_token": REFRESH,
                     "expires_at": time.time() + expires_in, "country": country})


@pytest.fixture
def sage(acme, sage_fake):
    return sage_connection(acme)
