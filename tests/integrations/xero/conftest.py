"""A Xero organisation served by the fake (integrations/fakes/xero_scenario.py) and Acme's connection to
it: 10 accounts (a plain EXPENSE the default table leaves unmapped), 3 customers, 1 supplier, 12 sales
invoices in USD at 1.25 per euro (every other one paid 20 days later), 1 draft, 3 bills, 1 credit note,
1 bank receipt and 1 payroll journal; the general ledger comes from /Journals."""

import time
from datetime import date

import pytest

from integrations.fakes.xero import ORIGIN, XeroFake
from integrations.fakes.xero_scenario import TENANT_ID, demo_tenant
from integrations.http import mount_transport
from integrations.models import Connection

ACCESS = "xero-at-acme"
REFRESH = "xero-rt-acme"


@pytest.fixture
def xero_fake(settings):
    settings.INTEGRATIONS_REDIS_URL = ""
    settings.XERO_RATE_LIMIT = (10_000, 60)
    settings.XERO_DAILY_LIMIT = (100_000, 86400)
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    settings.XERO_API_BASE_URL = ORIGIN
    settings.XERO_TOKEN_URL = f"{ORIGIN}/connect/token"
    settings.XERO_AUTHORIZE_URL = f"{ORIGIN}/identity/connect/authorize"
    settings.XERO_CLIENT_ID = XeroFake.client_id
    settings.XERO_CLIENT_SECRET = XeroFake.client_secret
    tenant = demo_tenant(today=date.today())
    fake = XeroFake([tenant], tokens={ACCESS: [TENANT_ID]}, per_minute=10_000, per_day=100_000)
    fake.add_refresh_token(REFRESH, [TENANT_ID])
    fake.tenant = tenant
    mount_transport(ORIGIN, fake.transport())
    yield fake
    mount_transport(ORIGIN, None)


def xero_connection(org, *, expires_in: float = 1800, access: str = ACCESS) -> Connection:
    return Connection.objects.create(
        organization=org, provider="xero", provider_account_id=TENANT_ID, label="Xero",
        credentials={"auth": "oauth", "access_token": access, "refresh_token": REFRESH,
                     "expires_at": time.time() + expires_in})


@pytest.fixture
def xero(acme, xero_fake):
    return xero_connection(acme)


def invoice_id(fake, number: str) -> str:
    return next(i["InvoiceID"] for i in fake.tenant.objects["Invoices"].values() if i["InvoiceNumber"] == number)
