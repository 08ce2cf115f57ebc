import pytest

from integrations.base import ConnectorError
from integrations.http import ProviderClient
from integrations.models import Invoice
from integrations.ratelimit import MemoryRateLimiter
from integrations.services import connection_sync
from tests.integrations.conftest import TOKEN

pytestmark = pytest.mark.django_db


def test_a_few_503s_during_a_sync_are_retried_and_the_sync_completes(connection, book, any_fake):
    any_fake.faults.server_errors = 3

    run = connection_sync(connection=connection)

    assert run.state == "done" and run.attempt == 1
    assert Invoice.objects.for_org(connection.organization).count() == 31
    assert any_fake.faults.server_errors == 0


def test_a_provider_slower_than_the_timeout_is_retried_then_reported_as_temporary(fake_over_http, settings):
    fake_over_http.faults.delay = 0.3
    client = ProviderClient(base_url=settings.PENNYLANE_API_BASE_URL, token=TOKEN, timeout=0.1, max_retries=2,
                            limiter=MemoryRateLimiter(key="slow", limit=100, window=1), sleep=lambda s: None)

    with pytest.raises(ConnectorError) as info:
        client.get("/customers")

    assert info.value.permanent is False
    assert "ReadTimeout" in str(info.value)
    assert client.requests_sent == 3
