import httpx
import pytest
from django.test import override_settings

from integrations.fakes.scenario import ACCOUNTS
from integrations.models import Customer
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def _client(fake):
    return httpx.Client(transport=httpx.WSGITransport(app=fake), base_url="http://pennylane.fake/api/external/v2",
                        headers={"Authorization": "Bearer test-company-token"})


@override_settings(PENNYLANE_PAGE_LIMIT=3)
def test_a_listing_that_fills_its_last_page_exactly_asks_for_no_extra_page(connection, book, fake):
    # 3 customers, 3 per page: one page, has_more false, no second request.
    connection_sync(connection=connection)

    customer_pages = [r for r in fake.requests if r["path"].endswith("/v2/customers")]
    assert len(customer_pages) == 1
    assert Customer.objects.for_org(connection.organization).count() == 3


@override_settings(PENNYLANE_PAGE_LIMIT=1)
def test_one_record_per_page_still_reads_everything_once(connection, book, fake):
    connection_sync(connection=connection)

    customer_pages = [r for r in fake.requests if r["path"].endswith("/v2/customers")]
    assert len(customer_pages) == 3
    assert Customer.objects.for_org(connection.organization).count() == 3


def test_an_empty_resource_completes_its_listing(connection, book, fake):
    run = connection_sync(connection=connection)

    assert run.state == "done"
    assert "subscription" not in run.counts or run.counts["subscription"]["created"] == 0
    connection.refresh_from_db()
    assert connection.cursors["billing_subscriptions"]["phase"] == "done"


@pytest.mark.parametrize("limit", ["0", "101"])
def test_a_limit_out_of_range_is_a_400_not_clamped(fake, limit):
    response = _client(fake).get("/customers", params={"limit": limit})
    assert response.status_code == 400
    assert response.json() == {"error": "limit must be between 1 and 100", "status": 400}


def test_ledger_accounts_no_longer_take_page_numbers_since_the_2026_api(fake):
    assert _client(fake).get("/ledger_accounts", params={"page": 2, "per_page": 10}).status_code == 400
    first = _client(fake).get("/ledger_accounts", params={"limit": 10, "sort": "id"}).json()
    rest = _client(fake).get("/ledger_accounts", params={"limit": 100, "sort": "id",
                                                          "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 10 and first["has_more"] is True
    assert len(rest["items"]) == len(ACCOUNTS) - 10 and rest["has_more"] is False and rest["next_cursor"] is None


def test_every_answer_carries_the_rate_limit_headers_and_a_429_is_plain_text(fake):
    client = _client(fake)
    ok = client.get("/customers")
    fake.faults.rate_limited = 1
    limited = client.get("/customers")

    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(ok.headers)
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("text/plain")
    assert limited.text.startswith("Rate limit exceeded. Please retry in")
    assert limited.headers["retry-after"] == "1"
