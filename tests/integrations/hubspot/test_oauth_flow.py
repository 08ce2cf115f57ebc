"""Connecting HubSpot with OAuth: the admin goes to HubSpot's consent screen with a signed state that
binds the organization, the user and this browser session; the callback exchanges the code and
stores the tokens, or refuses."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.urls import reverse

from integrations.models import Connection, SyncRun
from integrations.oauth_hubspot import SESSION_NONCES, STATE_SALT, redirect_uri


def _start(client, org):
    response = client.get(reverse("integrations:hubspot_oauth_start", kwargs={"org_slug": org.slug}))
    assert response.status_code == 302
    return response["Location"]


def _consent(fake, authorize_url):
    """What HubSpot does when the admin clicks "Connect app": back to our callback with a code."""
    split = urlsplit(authorize_url)
    status, headers, _ = fake.handle("GET", "/oauth/authorize", parse_qs(split.query), {}, b"")
    assert status == 302
    return headers["Location"]


@pytest.fixture
def ceo(acme_ceo, client):
    client.force_login(acme_ceo.user)
    return acme_ceo


def test_the_admin_is_sent_to_hubspot_with_the_app_scopes_and_a_signed_state(client, acme, ceo, settings):
    location = _start(client, acme)

    split = urlsplit(location)
    query = parse_qs(split.query)
    assert location.startswith(settings.HUBSPOT_AUTHORIZE_URL + "?")
    assert query["client_id"] == [settings.HUBSPOT_CLIENT_ID]
    assert query["redirect_uri"] == [redirect_uri()]
    assert "crm.objects.deals.read" in query["scope"][0].split()
    state = signing.loads(query["state"][0], salt=STATE_SALT)
    assert (state["org"], state["user"]) == (acme.pk, ceo.user.pk)


def test_the_callback_connects_the_hub_and_keeps_the_tokens_encrypted(client, acme, ceo, hubspot_fake):
    callback = _consent(hubspot_fake, _start(client, acme))

    response = client.get(callback)

    connection = Connection.objects.for_org(acme).get(provider="hubspot")
    run = SyncRun.objects.for_org(acme).get(connection=connection)
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:sync_run_detail",
                                           kwargs={"org_slug": acme.slug, "sync_run_id": run.pk})
    assert connection.provider_account_id == "7001"  # the hub_id
    assert connection.created_by == ceo.user
    assert connection.credentials["refresh_token"] in hubspot_fake.refresh_tokens
    assert connection.credentials["access_token"] in hubspot_fake.tokens
    token_calls = hubspot_fake.requests_to("/oauth/v1/token")
    assert [r.status for r in token_calls] == [200]


def test_connecting_the_same_hub_again_renews_its_tokens_instead_of_adding_a_connection(client, acme, ceo,
                                                                                       hubspot_fake):
    client.get(_consent(hubspot_fake, _start(client, acme)))
    first = Connection.objects.for_org(acme).get(provider="hubspot").credentials["access_token"]

    client.get(_consent(hubspot_fake, _start(client, acme)))

    connection = Connection.objects.for_org(acme).get(provider="hubspot")
    assert connection.credentials["access_token"] != first


def test_a_state_replayed_after_use_is_refused(client, acme, ceo, hubspot_fake):
    callback = _consent(hubspot_fake, _start(client, acme))
    client.get(callback)

    assert client.get(callback).status_code == 400


def test_a_callback_in_another_users_session_is_refused(client, acme, ceo, alice, hubspot_fake):
    callback = _consent(hubspot_fake, _start(client, acme))
    client.force_login(alice.user)  # a link the CEO's browser was sent, opened by someone else

    assert client.get(callback).status_code == 400
    assert not Connection.objects.for_org(acme).exists()


def test_a_forged_state_is_refused(client, acme, ceo):
    url = reverse("hubspot_oauth_callback") + "?code=x&state=" + "eyJvcmciOjF9:forged:signature"

    assert client.get(url).status_code == 400


def _signed_state_for(client, member, org):
    """A well-formed state for `member` in `org`, as if they had started the flow themselves."""
    session = client.session
    session[SESSION_NONCES] = ["n0nce"]
    session.save()
    return signing.dumps({"org": org.pk, "user": member.user.pk, "nonce": "n0nce"}, salt=STATE_SALT)


def test_the_callback_is_404_for_a_member_who_may_not_manage_integrations(client, acme, bob, hubspot_fake):
    client.force_login(bob.user)  # Acme's COO
    state = _signed_state_for(client, bob, acme)
    code = hubspot_fake.issue_code(redirect_uri=redirect_uri())

    response = client.get(reverse("hubspot_oauth_callback") + f"?code={code}&state={state}")

    assert response.status_code == 404
    assert hubspot_fake.requests_to("/oauth/v1/token") == []  # the code was never exchanged


def test_the_callback_is_404_for_someone_outside_the_organization(client, acme, mallory, hubspot_fake):
    client.force_login(mallory.user)
    state = _signed_state_for(client, mallory, acme)

    response = client.get(reverse("hubspot_oauth_callback") + f"?code=x&state={state}")

    assert response.status_code == 404


def test_a_cfo_cannot_start_the_oauth_flow(client, acme, alice):
    client.force_login(alice.user)

    response = client.get(reverse("integrations:hubspot_oauth_start", kwargs={"org_slug": acme.slug}))

    assert response.status_code == 403


def test_declining_on_hubspot_brings_the_admin_back_with_nothing_connected(client, acme, ceo):
    location = _start(client, acme)
    state = parse_qs(urlsplit(location).query)["state"][0]

    response = client.get(reverse("hubspot_oauth_callback") + f"?error=access_denied&state={state}")

    assert response.status_code == 302
    assert not Connection.objects.for_org(acme).exists()


def test_a_refused_callback_explains_what_to_do_and_exchanges_nothing(client, acme, ceo, hubspot_fake):
    callback = _consent(hubspot_fake, _start(client, acme))
    client.get(callback)
    hubspot_fake.log.clear()

    response = client.get(callback)

    assert response.status_code == 400
    assert b"already used: start again from the Integrations page" in response.content
    assert hubspot_fake.requests_to("/oauth/v1/token") == []
