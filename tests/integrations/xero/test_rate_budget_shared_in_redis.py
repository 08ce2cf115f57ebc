"""The tenant's minute and day budgets and the app's minute budget live in Redis, so every worker
spends from the same ones: a second worker's connector sees what the first spent."""

import os

import pytest

from integrations.fakes.xero_scenario import TENANT_ID
from integrations.providers.xero import XeroConnector
from integrations.ratelimit import redis_client
from integrations.services import connection_sync

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
KEYS = [f"pilotage:ratelimit:xero:{TENANT_ID}:minute", f"pilotage:ratelimit:xero:{TENANT_ID}:day",
        "pilotage:ratelimit:xero:app:minute"]


@pytest.fixture
def redis_budgets(xero_fake, settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    redis = redis_client(REDIS_URL)
    redis.delete(*KEYS)
    yield redis
    redis.delete(*KEYS)


def test_every_api_call_of_a_sync_is_counted_in_the_three_shared_budgets(acme, xero, xero_fake, redis_budgets):
    connection_sync(connection=xero)

    api_calls = len(xero_fake.requests_to("/api.xro/2.0/"))
    assert api_calls > 5
    assert [redis_budgets.zcard(key) for key in KEYS] == [api_calls] * 3


def test_a_second_worker_waits_when_the_first_spent_the_tenants_minute(acme, xero, xero_fake, redis_budgets, settings):
    settings.XERO_RATE_LIMIT = (3, 60)
    waits: list[float] = []
    first = XeroConnector(xero)
    for _ in range(3):
        first.organisation()

    second = XeroConnector(xero, sleep=lambda seconds: (waits.append(seconds), redis_budgets.delete(KEYS[0])))
    second.organisation()

    assert waits and 50 < waits[0] <= 61  # it waited for the window, instead of earning Xero's 429
    assert [r.status for r in xero_fake.requests_to("/Organisation")] == [200] * 4
