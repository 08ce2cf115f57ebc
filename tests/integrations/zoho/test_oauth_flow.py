"""Connecting Zoho CRM: the admin picks the data centre, signs in at its accounts server, and the
callback's `accounts-server` (checked against Zoho's known servers) is where the code is exchanged;
the connection keeps the accounts server and the API domain."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from integrations.models import Connection, SyncRun


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def _start(client, org, region="eu"):
    response = client.get(reverse("integrations:zoho_oauth_start", kwargs={"org_slug": org.slug}),
                          {"region": region})
    assert response.status_code == 302
    return response["Location"]


def _consent(fake, authorize_url):
    """What Zoho does when the admin accepts: back to our callback with a code and the account's DC."""
    split = urlsplit(authorize_url)
    status, headers, _ = fake.handle("GET", split.netloc, split.path, parse_qs(split.query), {}, b"")
    assert status == 302
    return headers["Location"]


def test_the_connect_page_offers_the_data_centres_with_europe_chosen(client, acme, ceo):
    response = client.get(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}),
                          {"provider": "zoho"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="region"' in page
    assert '<option value="eu" selected>' in page and '<option value="cn"' in page


def test_the_admin_is_sent_to_the_chosen_data_centres_consent_screen_for_offline_read_access(client, acme, ceo,
                                                                                              settings):
    location = _start(client, acme, region="in")

    split = urlsplit(location)
    query = parse_qs(split.query)
    assert f"{split.scheme}://{split.netloc}{split.path}" == "http://accounts.zoho-in.fake/oauth/v2/auth"
    assert query["access_type"] == ["offline"] and query["response_type"] == ["code"]
    assert "ZohoCRM.modules.READ" in query["scope"][0]


def test_the_callback_exchanges_the_code_at_the_accounts_server_zoho_named_and_keeps_both_domains(
        client, acme, ceo, zoho_fake):
    callback = _consent(zoho_fake, _start(client, acme, region="us"))  # the account is on .eu, whatever was picked
    assert "accounts-server=http%3A%2F%2Faccounts.zoho-eu.fake" in callback and "location=eu" in callback

    response = client.get(callback)

    connection = Connection.objects.for_org(acme).get(provider="zoho")
    run = SyncRun.objects.for_org(acme).get(connection=connection)
    assert response["Location"] == reverse("integrations:sync_run_detail",
                                           kwargs={"org_slug": acme.slug, "sync_run_id": run.pk})
    assert connection.provider_account_id == "20071234567"
    credentials = connection.credentials
    assert (credentials["accounts_server"], credentials["api_domain"], credentials["region"]) == (
        "http://accounts.zoho-eu.fake", "http://zohoapis-eu.fake", "eu")
    assert credentials["refresh_token"] in zoho_fake.refresh_tokens
    assert [(r.host, r.status) for r in zoho_fake.requests_to("/oauth/v2/token")] == [("accounts.zoho-eu.fake", 200)]


def test_a_callback_naming_a_foreign_accounts_server_is_refused_before_any_exchange(client, acme, ceo, zoho_fake):
    callback = _consent(zoho_fake, _start(client, acme))
    forged = callback.replace("accounts-server=http%3A%2F%2Faccounts.zoho-eu.fake",
                              "accounts-server=https%3A%2F%2Fevil.example")

    response = client.get(forged, follow=True)

    assert not Connection.objects.for_org(acme).filter(provider="zoho").exists()
    assert zoho_fake.requests_to("/oauth/v2/token") == []
    assert "unknown data centre" in response.content.decode()
