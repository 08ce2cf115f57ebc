"""Machines push records with an API key: the import's rules, all or nothing per batch, idempotent."""

import pytest

from accounts.api_keys import api_key_create
from integrations.models import MarketingSpend, Order

PATH = "/api/v1/orgs/acme/records/{kind}/"


@pytest.fixture
def push(client, acme_ceo):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="ERP", role="viewer", can_write=True)

    def send(kind, body):
        return client.post(PATH.format(kind=kind), body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Api-Key {secret}")

    send.get = lambda kind: client.get(PATH.format(kind=kind), HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return send


def test_one_bad_item_refuses_the_batch_with_every_error(push, acme):
    response = push("orders", [
        {"number": "A-1", "placed_at": "2026-03-01T10:00:00", "amount_excl_tax": "10"},
        {"number": "A-2", "placed_at": "2026-03-01", "shipped_at": "yesterday", "amount_excl_tax": 10},
        {"number": "A-3", "placed_at": "2026-03-01", "amount_excl_tax": "10", "colour": "red"},
        "not an object",
    ])
    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "shipped_at", "bad_date"), (2, "colour", "unknown_field"), (3, "", "not_an_object")]
    assert Order.objects.for_org(acme).count() == 0


def test_a_clean_batch_is_written_and_pushed_again_changes_nothing(push, acme):
    body = [{"date": "2026-03-01", "channel": "google_ads", "amount": 120.5},
            {"date": "2026-03-01", "channel": "meta_ads", "amount": "80,00"}]
    assert push("marketing_spend", body).json() == {"created": 2, "updated": 0, "unchanged": 0, "deleted": 0}
    assert push("marketing_spend", body).json()["unchanged"] == 2
    assert MarketingSpend.objects.for_org(acme).filter(source="api").count() == 2
    listed = push.get("marketing_spend").json()
    assert listed["count"] == 2 and {r["channel"] for r in listed["results"]} == {"google_ads", "meta_ads"}


def test_batches_are_bounded(push, settings):
    settings.API_PUSH_MAX_BATCH = 2
    response = push("marketing_spend", [{"date": "2026-03-01", "channel": f"c{i}", "amount": 1} for i in range(3)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "batch"
    assert push("marketing_spend", {"date": "2026-03-01"}).status_code == 400
