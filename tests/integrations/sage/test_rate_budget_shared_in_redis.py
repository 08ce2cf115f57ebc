"""The business's request budget lives in Redis, so every worker spends from the same one: a second
worker's connector waits for what the first spent instead of earning Sage's 429."""

import os

import pytest

from integrations.fakes.sage_scenario import BUSINESS_ID
from integrations.providers.sage import SageConnector
from integrations.ratelimit import redis_client
from integrations.services import connection_sync

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
KEY = f"pilotage:ratelimit:sage:{BUSINESS_ID}"


@pytest.fixture
def redis_budget(sage_fake, settings):
    settings.INTEGRATIONS_REDIS_URL = REDIS_URL
    redis = redis_client(REDIS_URL)
    redis.delete(KEY)
    yield redis
    redis.delete(KEY)


def test_every_api_call_of_a_sync_is_counted_in_the_businesss_budget(acme, sage, sage_fake, redis_budget):
    connection_sync(connection=sage)

    api_calls = len(sage_fake.requests_to("/v3.1/"))
    assert api_calls > 5
    assert redis_budget.zcard(KEY) == api_calls


def test_a_second_worker_waits_when_the_first_spent_the_minute(acme, sage, sage_fake, redis_budget, settings):
    settings.SAGE_RATE_LIMIT = (3, 60)
    waits: list[float] = []
    first = SageConnector(sage)
    for _ in range(3):
        first.account_info()

    second = SageConnector(sage, sleep=lambda seconds: (waits.append(seconds), redis_budget.delete(KEY)))
    second.account_info()

    assert waits and 50 < waits[0] <= 61  # it waited for the window
    assert all(r.status == 200 for r in sage_fake.requests_to("/v3.1/"))
