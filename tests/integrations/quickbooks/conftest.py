"""A QuickBooks company served by the fake (integrations/fakes/quickbooks_scenario.py) and Acme's
connection to it: 9 accounts (one of a type the default table leaves unmapped), 3 customers, 1 vendor,
12 invoices in GBP at 1.15 (every other one paid 20 days later), 3 bills, 1 payroll journal entry."""

import os
import time
from datetime import date

import pytest

from integrations.fakes.quickbooks import QuickBooksFake
from integrations.fakes.quickbooks_scenario import REALM_ID, demo_company
from integrations.http import mount_transport
from integrations.models import Connection

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
ACCESS = "qbo-at-acme"
REFRESH = "qbo-rt-acme"
BASE = "http://quickbooks.fake"


@pytest.fixture
def qbo_fake(settings):
    settings.INTEGRATIONS_REDIS_URL = ""
    settings.QUICKBOOKS_RATE_LIMIT = (10_000, 60)
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.QUICKBOOKS_API_BASE_URL = BASE
    settings.QUICKBOOKS_TOKEN_URL = f"{BASE}/oauth2/v1/tokens/bearer"
    settings.QUICKBOOKS_CLIENT_ID = QuickBooksFake.client_id
    settings.QUICKBOOKS_CLIENT_SECRET = QuickBooksFake.client_secret
    company = demo_company(today=date.today())
    fake = QuickBooksFake([company], tokens={ACCESS: REALM_ID})
    fake.refresh_tokens[REFRESH] = REALM_ID
    fake.company = company
    mount_transport(BASE, fake.transport())
    yield fake
    mount_transport(BASE, None)


def qbo_connection(org, *, expires_in: float = 3600, access: str = ACCESS) -> Connection:
    return Connection.objects.create(
        organization=org, provider="quickbooks", provider_account_id=REALM_ID, label="QuickBooks",
        credentials={"auth": "oauth", "access_token": access, "refresh_token": REFRESH,
                     "expires_at": time.time() + expires_in, "realm_id": REALM_ID})


@pytest.fixture
def qbo(acme, qbo_fake):
    return qbo_connection(acme)
