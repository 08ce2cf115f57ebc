import pytest
from django.urls import reverse

from integrations.models import RejectedRecord, SyncRun
from tests.factories import make_org
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db


def test_sync_now_queues_one_run_and_sends_htmx_to_its_page(client, acme, acme_ceo, connection,
                                                            django_capture_on_commit_callbacks):
    client.force_login(acme_ceo.user)
    url = reverse("integrations:connection_sync", kwargs={"org_slug": "acme", "connection_id": connection.pk})

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = client.post(url, HTTP_HX_REQUEST="true")
        second = client.post(url, HTTP_HX_REQUEST="true")

    run = SyncRun.objects.for_org(acme).get()
    assert first["HX-Redirect"] == second["HX-Redirect"] == reverse(
        "integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    assert len(queued) == 1  # the second click found the queued run and did not queue another


def test_a_running_sync_polls_every_two_seconds_and_a_finished_one_does_not(client, acme, alice, connection):
    client.force_login(alice.user)
    running = SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.RUNNING,
                                     progress=40)
    done = SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE, progress=100)

    live = client.get(reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": running.pk}),
                      HTTP_HX_REQUEST="true")
    finished = client.get(reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": done.pk}))

    assert 'hx-trigger="every 2s"' in live.content.decode()
    assert 'value="40"' in live.content.decode()
    assert "<html" not in live.content.decode()  # the fragment only
    assert "HX-Request" in live["Vary"]
    assert 'hx-trigger="every 2s"' not in finished.content.decode()


def test_the_run_page_lists_rejected_records_with_their_reasons_in_bounded_queries(
        client, acme, alice, connection, django_assert_max_num_queries):
    run = SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE,
                                 counts={"invoice": {"created": 3, "rejected": 2}})
    for n in range(2):
        RejectedRecord.objects.create(organization=acme, sync_run=run, model="invoice", external_id=f"9{n}",
                                      reason=f"amount 'x{n}' is not a decimal amount")
    client.force_login(alice.user)

    with django_assert_max_num_queries(16):
        body = client.get(reverse("integrations:sync_run_detail",
                                  kwargs={"org_slug": "acme", "sync_run_id": run.pk})).content.decode()

    assert "amount &#x27;x0&#x27; is not a decimal amount" in body
    assert "amount &#x27;x1&#x27; is not a decimal amount" in body


def test_the_integrations_page_makes_the_same_number_of_queries_for_many_connections(
        client, acme, alice, django_assert_max_num_queries):
    for _ in range(8):
        c = make_connection(acme)
        SyncRun.objects.create(organization=acme, connection=c, state=SyncRun.State.DONE)
    make_connection(make_org())  # another tenant's connection is not listed
    client.force_login(alice.user)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("integrations:connection_list", kwargs={"org_slug": "acme"}))

    assert response.content.decode().count("Account 7001") == 8


def test_a_full_resync_can_be_asked_for(client, acme, acme_ceo, connection, django_capture_on_commit_callbacks):
    client.force_login(acme_ceo.user)
    url = reverse("integrations:connection_sync", kwargs={"org_slug": "acme", "connection_id": connection.pk})

    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"full": "1"})

    assert SyncRun.objects.for_org(acme).get().is_full is True
