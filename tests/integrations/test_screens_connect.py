import pytest
from django.urls import reverse

from integrations.models import Connection, Invoice, SyncRun
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _connect_url(org):
    return reverse("integrations:connection_connect", kwargs={"org_slug": org.slug}) + "?provider=pennylane"


def test_an_admin_connects_pennylane_with_a_token_and_lands_on_the_first_sync(client, acme, fake,
                                                                              django_capture_on_commit_callbacks):
    admin = make_member(acme, role="admin")
    client.force_login(admin.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_connect_url(acme), {"provider": "pennylane", "token": "test-company-token"})

    connection = Connection.objects.for_org(acme).get()
    run = SyncRun.objects.for_org(acme).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:sync_run_detail",
                                           kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    assert connection.provider_account_id == "7001" and connection.label == "Test Company SAS"
    assert run.is_full and run.state == SyncRun.State.DONE
    assert Invoice.objects.for_org(acme).filter(kind="customer").count() == 30


def test_a_refused_token_is_reported_and_nothing_is_stored(client, acme, fake):
    admin = make_member(acme, role="admin")
    client.force_login(admin.user)

    response = client.post(_connect_url(acme), {"provider": "pennylane", "token": "wrong"})

    assert response.status_code == 200
    assert "refused" in response.content.decode()
    assert not Connection.objects.for_org(acme).exists()


def test_the_token_is_never_shown_back(client, acme, acme_ceo, connection, fake):
    client.force_login(acme_ceo.user)
    pages = [reverse("integrations:connection_list", kwargs={"org_slug": "acme"}),
             reverse("integrations:connection_detail", kwargs={"org_slug": "acme", "connection_id": connection.pk}),
             reverse("api:connection-list", kwargs={"org_slug": "acme"})]
    for page in pages:
        body = client.get(page).content.decode()
        assert "test-company-token" not in body, page


def test_a_cfo_reads_the_integrations_page_but_cannot_connect(client, acme, alice, connection):
    client.force_login(alice.user)

    page = client.get(reverse("integrations:connection_list", kwargs={"org_slug": "acme"}))
    connect = client.get(_connect_url(acme))

    assert page.status_code == 200 and "Connect a tool" not in page.content.decode()
    assert connect.status_code == 403


def test_the_same_pennylane_company_cannot_be_connected_twice(client, acme, fake):
    admin = make_member(acme, role="admin")
    client.force_login(admin.user)
    client.post(_connect_url(acme), {"provider": "pennylane", "token": "test-company-token"})

    again = client.post(_connect_url(acme), {"provider": "pennylane", "token": "test-company-token"})

    assert "already connected" in again.content.decode()
    assert Connection.objects.for_org(acme).count() == 1


def test_a_provider_switched_off_in_settings_is_not_offered(client, acme, acme_ceo, settings):
    settings.PENNYLANE_ENABLED = False
    client.force_login(acme_ceo.user)

    page = client.get(reverse("integrations:connection_list", kwargs={"org_slug": "acme"})).content.decode()

    assert "Connect Pennylane" not in page
    assert client.get(_connect_url(acme)).status_code == 404
