import json

import pytest
from django.test import override_settings

from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


@override_settings(PENNYLANE_PAGE_LIMIT=7)
def test_every_page_of_a_listing_sends_the_filter_and_sort_again(connection, book, fake):
    connection_sync(connection=connection)

    pages = [r["params"] for r in fake.requests if r["path"].endswith("/customer_invoices")]
    # 30 invoices, 7 per page: 5 pages, each with the date filter and the sort.
    assert len(pages) == 5
    assert sum("cursor" in p for p in pages) == 4
    for params in pages:
        assert json.loads(params["filter"])[0]["field"] == "date"
        assert params["sort"] == "id"
        assert params["limit"] == "7"


def test_the_fake_drops_filters_that_are_not_sent_again(book, fake):
    import httpx

    client = httpx.Client(transport=httpx.WSGITransport(app=fake), base_url="http://pennylane.fake/api/external/v2",
                          headers={"Authorization": "Bearer test-company-token"})
    only_one = json.dumps([{"field": "invoice_number", "operator": "eq",
                            "value": next(iter(book.objects["customer_invoices"].values()))["invoice_number"]}])
    everything = client.get("/customer_invoices", params={"limit": 2, "sort": "id"}).json()
    second_page = client.get("/customer_invoices", params={"limit": 2, "cursor": everything["next_cursor"]}).json()
    filtered = client.get("/customer_invoices", params={"limit": 2, "filter": only_one}).json()

    assert len(filtered["items"]) == 1
    # Without the sort sent again, the next page falls back to newest first (-id) from the cursor's
    # position, and serves page one's first invoice again instead of the third one.
    assert second_page["items"][0]["id"] == everything["items"][0]["id"]
