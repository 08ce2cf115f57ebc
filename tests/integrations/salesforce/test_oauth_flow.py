"""Connecting Salesforce: the connect page offers production and sandbox; the choice travels in the
signed state to the callback, which exchanges the code at that login host and keeps the org id, the
instance URL and the login host with the (encrypted) tokens."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.urls import reverse

from integrations.models import Connection, SyncRun
from integrations.providers.salesforce.oauth import SalesforceOAuth


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def _start(client, org, login):
    url = reverse("integrations:salesforce_oauth_start", kwargs={"org_slug": org.slug})
    response = client.get(f"{url}?{urlencode({'login': login})}")
    assert response.status_code == 302
    return response["Location"]


def _consent(fake, authorize_url):
    split = urlsplit(authorize_url)
    status, headers, _ = fake.handle("GET", split.netloc, split.path, parse_qs(split.query), {}, b"")
    assert status == 302
    return headers["Location"]


def test_the_connect_page_offers_production_and_sandbox(client, acme, ceo):
    response = client.get(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}),
                          {"provider": "salesforce"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "login.salesforce.com" in page and "test.salesforce.com" in page
    assert "?login=sandbox" in page and "?login=production" in page
    assert 'name="token"' not in page  # a session comes only from OAuth


def test_the_admin_is_sent_to_the_sandbox_consent_with_the_api_scopes(client, acme, ceo, settings):
    location = _start(client, acme, "sandbox")

    query = parse_qs(urlsplit(location).query)
    assert location.startswith(settings.SALESFORCE_AUTHORIZE_HOSTS["sandbox"] + "/services/oauth2/authorize?")
    assert query["scope"] == ["api refresh_token"]
    assert query["response_type"] == ["code"]
    state = signing.loads(query["state"][0], salt=SalesforceOAuth().state_salt)
    assert (state["org"], state["choice"]) == (acme.pk, "sandbox")


def test_a_sandbox_callback_exchanges_the_code_at_the_sandbox_host_and_keeps_the_instance(client, acme, ceo,
                                                                                          salesforce_fake):
    salesforce_fake.scenario.is_sandbox = True
    callback = _consent(salesforce_fake, _start(client, acme, "sandbox"))

    response = client.get(callback)

    connection = Connection.objects.for_org(acme).get(provider="salesforce")
    assert response.status_code == 302
    assert SyncRun.objects.for_org(acme).filter(connection=connection).exists()
    assert connection.provider_account_id == salesforce_fake.scenario.org_id
    assert connection.credentials["instance_url"] == salesforce_fake.instance_url
    assert connection.credentials["login_host"] == "sandbox"
    assert connection.credentials["refresh_token"] in salesforce_fake.refresh_tokens
    [token] = salesforce_fake.requests_to("/services/oauth2/token")
    assert (token.host, token.status) == ("test.salesforce.fake", 200)


def test_a_production_org_is_not_reached_through_the_sandbox_host(client, acme, ceo, salesforce_fake):
    callback = _consent(salesforce_fake, _start(client, acme, "sandbox"))

    client.get(callback)

    assert not Connection.objects.for_org(acme).filter(provider="salesforce").exists()
    assert [r.status for r in salesforce_fake.requests_to("/services/oauth2/token")] == [400]
