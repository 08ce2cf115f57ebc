"""Connecting Sage: Sage's consent screen (`/oauth2/auth/central?filter=apiv3.1`), then the callback with
the code, our state and the edition's country; the token exchange posts the client id and secret; the
connection is the user's business (from `/businesses`), and the French edition's chart is read as PCG."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from integrations.fakes.sage import Business
from integrations.fakes.sage_scenario import BUSINESS_ID
from integrations.models import Connection


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def _consent(client, org, sage_fake):
    response = client.get(reverse("integrations:sage_oauth_start", kwargs={"org_slug": org.slug}))
    assert response.status_code == 302
    split = urlsplit(response["Location"])
    query = parse_qs(split.query)
    assert split.path == "/oauth2/auth/central"
    assert query["filter"] == ["apiv3.1"] and query["response_type"] == ["code"] and query["scope"] == ["readonly"]
    answer = httpx.Client(transport=sage_fake.transport()).get(f"http://sage.fake/oauth2/auth/central?{split.query}")
    return answer.headers["Location"]


def test_the_callback_connects_the_users_business(client, acme, ceo, sage_fake):
    callback = _consent(client, acme, sage_fake)
    assert "country=fr" in callback

    response = client.get(callback)

    assert response.status_code == 302
    connection = Connection.objects.for_org(acme).get(provider="sage")
    assert connection.provider_account_id == BUSINESS_ID
    assert connection.label == "Verre & Lin SARL"
    assert connection.credentials["country"] == "FR"
    assert connection.credentials["refresh_token"] in sage_fake.refresh_tokens
    assert [r.status for r in sage_fake.requests_to("/token")] == [200]


def _choose_url(org):
    return reverse("integrations:sage_oauth_choose", kwargs={"org_slug": org.slug})


def test_a_user_of_several_businesses_chooses_the_one_to_connect(client, acme, ceo, sage_fake):
    sage_fake.businesses["b2"] = Business(id="b2", name="Autre SAS")
    callback = _consent(client, acme, sage_fake)

    response = client.get(callback)

    assert response.status_code == 302 and response["Location"] == _choose_url(acme)
    assert not Connection.objects.for_org(acme).filter(provider="sage").exists()
    session = str(dict(client.session))
    assert "sage-at-" not in session and "sage-rt-" not in session  # the waiting tokens are encrypted
    page = client.get(_choose_url(acme)).content.decode()
    assert "Verre &amp; Lin SARL" in page and "Autre SAS" in page

    chosen = client.post(_choose_url(acme), {"account_id": "b2"})

    assert chosen.status_code == 302
    connection = Connection.objects.for_org(acme).get(provider="sage")
    assert (connection.provider_account_id, connection.label) == ("b2", "Autre SAS")
    assert connection.credentials["refresh_token"] in sage_fake.refresh_tokens
    assert client.get(_choose_url(acme)).status_code == 404  # chosen once


def test_only_a_listed_business_can_be_chosen(client, acme, ceo, sage_fake):
    sage_fake.businesses["b2"] = Business(id="b2", name="Autre SAS")
    client.get(_consent(client, acme, sage_fake))

    response = client.post(_choose_url(acme), {"account_id": "someone-elses"})

    assert response.status_code == 400
    assert not Connection.objects.for_org(acme).filter(provider="sage").exists()


def test_the_choice_waits_only_for_its_organization(client, acme, globex, ceo, mallory, sage_fake):
    sage_fake.businesses["b2"] = Business(id="b2", name="Autre SAS")
    client.get(_consent(client, acme, sage_fake))
    client.force_login(mallory.user)

    assert client.get(_choose_url(globex)).status_code == 404
    assert client.get(_choose_url(acme)).status_code in (403, 404)


def test_a_replayed_callback_is_refused(client, acme, ceo, sage_fake):
    callback = _consent(client, acme, sage_fake)
    client.get(callback)

    assert client.get(callback).status_code == 400


def test_the_connect_page_offers_only_sages_consent(client, acme, ceo, sage_fake):
    page = client.get(reverse("integrations:connection_connect", kwargs={"org_slug": acme.slug}) + "?provider=sage")

    assert page.status_code == 200
    assert "Continue with Sage Business Cloud Accounting" in page.content.decode()
    assert 'name="token"' not in page.content.decode()
