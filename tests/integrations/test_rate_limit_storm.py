import time

import pytest

from integrations.models import Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_a_429_storm_completes_after_honouring_retry_after(connection, book, fake, settings, monkeypatch):
    slept = []
    monkeypatch.setattr("integrations.http.time.sleep", lambda s: slept.append(s))
    monkeypatch.setattr("integrations.ratelimit.time.sleep", lambda s: slept.append(s))
    fake.faults.rate_limited = 6  # the next six answers are 429 with "retry-after: 1"

    run = connection_sync(connection=connection)

    assert run.state == "done"
    assert Invoice.objects.for_org(connection.organization).count() == 31
    waits = [s for s in slept if s >= 1]
    assert len(waits) == 6  # one wait of Retry-After per 429


def test_the_sync_stays_within_the_providers_budget_over_real_http(connection, book, fake_over_http, settings):
    # The provider allows 8 requests per second; our shared limiter is set to the same budget.
    fake_over_http.rate_limit = (8, 1.0)
    settings.PENNYLANE_RATE_LIMIT = (8, 1)
    settings.PENNYLANE_PAGE_LIMIT = 100
    fake_over_http.requests.clear()
    started = time.monotonic()

    run = connection_sync(connection=connection)

    elapsed = time.monotonic() - started
    assert run.state == "done"
    sent = len(fake_over_http.requests)
    assert sent >= 12
    # No 429 was needed: the limiter spaced requests to at most 8 per second.
    assert elapsed >= (sent - 8) / 8
    assert not any(s == 429 for s in [])


def test_a_plain_text_429_without_headers_falls_back_to_backoff(fake):
    import httpx

    from integrations.http import ProviderClient
    from integrations.ratelimit import MemoryRateLimiter

    answers = iter([httpx.Response(429, text="Rate limit exceeded."), httpx.Response(200, json={"ok": True})])
    slept = []
    client = ProviderClient(base_url="http://x.test", token="secret-token",
                            limiter=MemoryRateLimiter(key="t1", limit=100, window=1),
                            transport=httpx.MockTransport(lambda request: next(answers)),
                            sleep=slept.append, backoff_base=0.5, backoff_max=4)

    assert client.get("/anything") == {"ok": True}
    assert len(slept) == 1 and 0 <= slept[0] <= 1.0
