"""Connecting QuickBooks: Intuit's consent screen, then the callback with the code, our state and the
company's realmId; the client authenticates with HTTP Basic at the token endpoint."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from integrations.fakes.quickbooks_scenario import REALM_ID
from integrations.models import Connection


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def _consent(client, org, qbo_fake):
    response = client.get(reverse("integrations:quickbooks_oauth_start", kwargs={"org_slug": org.slug}))
    assert response.status_code == 302
    split = urlsplit(response["Location"])
    query = parse_qs(split.query)
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["response_type"] == ["code"]
    answer = httpx.Client(transport=qbo_fake.transport()).get(f"http://quickbooks.fake/connect/oauth2?{split.query}")
    return answer.headers["Location"]


def test_the_callback_connects_the_realm_and_starts_the_first_sync(client, acme, ceo, qbo_fake):
    callback = _consent(client, acme, qbo_fake)
    assert f"realmId={REALM_ID}" in callback

    response = client.get(callback)

    assert response.status_code == 302
    connection = Connection.objects.for_org(acme).get(provider="quickbooks")
    assert connection.provider_account_id == REALM_ID
    assert connection.credentials["refresh_token"] in qbo_fake.refresh_tokens
    assert [r.status for r in qbo_fake.requests_to("/oauth2/v1/tokens/bearer")] == [200]


def test_a_callback_without_a_realm_connects_nothing(client, acme, ceo, qbo_fake):
    callback = _consent(client, acme, qbo_fake).replace(f"realmId={REALM_ID}", "realmId=")

    response = client.get(callback)

    assert response.status_code == 302
    assert not Connection.objects.for_org(acme).filter(provider="quickbooks").exists()


def test_a_replayed_callback_is_refused(client, acme, ceo, qbo_fake):
    callback = _consent(client, acme, qbo_fake)
    client.get(callback)

    assert client.get(callback).status_code == 400


def test_the_connect_page_offers_only_intuits_consent(client, acme, ceo, qbo_fake):
    page = client.get(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}) + "?provider=quickbooks")

    assert page.status_code == 200
    assert "Continue with QuickBooks Online" in page.content.decode()
    assert 'name="token"' not in page.content.decode()
    assert client.post(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}),
                       {"provider": "quickbooks", "token": "pasted"}).status_code == 404
