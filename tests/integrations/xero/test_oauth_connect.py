"""Connecting Xero: Xero's consent screen, the code exchanged with HTTP Basic client authentication, then
`/connections` says which organisation (tenant) the user granted; the connection keeps its tenantId and
sends it as `xero-tenant-id`. A consent granting several organisations asks the admin which one."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from integrations.fakes.xero import ORIGIN, Tenant
from integrations.fakes.xero_scenario import TENANT_ID
from integrations.models import Connection


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def _consent(client, org, xero_fake):
    response = client.get(reverse("integrations:xero_oauth_start", kwargs={"org_slug": org.slug}))
    assert response.status_code == 302
    split = urlsplit(response["Location"])
    query = parse_qs(split.query)
    assert query["scope"] == [("offline_access accounting.transactions.read accounting.journals.read "
                               "accounting.settings.read accounting.contacts.read")]
    assert query["response_type"] == ["code"]
    answer = httpx.Client(transport=xero_fake.transport()).get(f"{ORIGIN}/identity/connect/authorize?{split.query}")
    return answer.headers["Location"]


def test_the_callback_connects_the_granted_tenant_and_starts_the_first_sync(client, acme, ceo, xero_fake):
    response = client.get(_consent(client, acme, xero_fake))

    assert response.status_code == 302
    connection = Connection.objects.for_org(acme).get(provider="xero")
    assert connection.provider_account_id == TENANT_ID
    assert connection.label == "Bois Fin UK Ltd"
    assert connection.credentials["refresh_token"] in xero_fake.refresh_tokens
    assert [r.status for r in xero_fake.requests_to("/connect/token")] == [200]
    assert [r.status for r in xero_fake.requests_to("/connections")] == [200]


def test_a_consent_granting_two_organisations_asks_which_one_to_connect(client, acme, ceo, xero_fake):
    xero_fake.tenants["other"] = Tenant(tenant_id="other", name="Bois Fin Ireland Ltd")

    response = client.get(_consent(client, acme, xero_fake))

    choose = reverse("integrations:xero_oauth_choose", kwargs={"org_slug": acme.slug})
    assert response.status_code == 302 and response["Location"] == choose
    assert not Connection.objects.for_org(acme).filter(provider="xero").exists()
    page = client.get(choose).content.decode()
    assert "Bois Fin UK Ltd" in page and "Bois Fin Ireland Ltd" in page
    assert "xero-at-" not in page and "xero-rt-" not in page  # the waiting tokens are never shown

    connected = client.post(choose, {"account_id": "other"})

    assert connected.status_code == 302
    connection = Connection.objects.for_org(acme).get(provider="xero")
    assert (connection.provider_account_id, connection.label) == ("other", "Bois Fin Ireland Ltd")
    assert connection.credentials["refresh_token"] in xero_fake.refresh_tokens
    assert client.get(choose).status_code == 404  # the choice is used once


def test_an_account_outside_the_consent_is_refused(client, acme, ceo, xero_fake):
    xero_fake.tenants["other"] = Tenant(tenant_id="other", name="Bois Fin Ireland Ltd")
    client.get(_consent(client, acme, xero_fake))
    choose = reverse("integrations:xero_oauth_choose", kwargs={"org_slug": acme.slug})

    assert client.post(choose, {"account_id": "someone-elses-tenant"}).status_code == 400
    assert not Connection.objects.for_org(acme).filter(provider="xero").exists()


def test_the_choice_waits_only_for_the_organization_that_started_it(client, acme, globex, ceo, xero_fake):
    xero_fake.tenants["other"] = Tenant(tenant_id="other", name="Bois Fin Ireland Ltd")
    client.get(_consent(client, acme, xero_fake))

    elsewhere = reverse("integrations:xero_oauth_choose", kwargs={"org_slug": globex.slug})

    assert client.get(elsewhere).status_code in (403, 404)


def test_the_one_organisation_ticked_among_several_is_connected(client, acme, ceo, xero_fake):
    xero_fake.tenants["other"] = Tenant(tenant_id="other", name="Bois Fin Ireland Ltd")
    xero_fake.consent_tenants = ["other"]

    client.get(_consent(client, acme, xero_fake))

    assert Connection.objects.for_org(acme).get(provider="xero").provider_account_id == "other"


def test_a_replayed_callback_is_refused(client, acme, ceo, xero_fake):
    callback = _consent(client, acme, xero_fake)
    client.get(callback)

    assert client.get(callback).status_code == 400


def test_the_connect_page_offers_only_xeros_consent(client, acme, ceo, xero_fake):
    page = client.get(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}) + "?provider=xero")

    assert page.status_code == 200
    assert "Continue with Xero" in page.content.decode()
    assert 'name="token"' not in page.content.decode()
