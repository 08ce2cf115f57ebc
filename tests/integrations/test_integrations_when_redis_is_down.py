"""With Redis down, the integration screens answer: "Sync now" says the queue is unavailable and leaves no
run stuck; testing or connecting says the shared request budget is unavailable; a sync waits and retries."""

import pytest
from django.urls import reverse

from integrations.models import Connection, Invoice, SyncRun
from integrations.services import SyncRetry, connection_sync
from tests.factories import make_member
from tests.integrations.conftest import make_connection
from tests.redis_server import redis_down  # noqa: F401  (fixture)

REDIS_MESSAGE = "does not answer: try again in a few minutes"


@pytest.fixture
def admin(acme):
    return make_member(acme, role="admin")


def _url(name, connection):
    return reverse(f"integrations:{name}", kwargs={"org_slug": connection.organization.slug,
                                                   "connection_id": connection.pk})


@pytest.mark.django_db(transaction=True)
def test_sync_now_says_the_queue_is_unavailable_and_leaves_no_run_queued(client, acme, admin, fake, redis_down):
    connection = make_connection(acme)
    client.force_login(admin.user)

    first = client.post(_url("connection_sync", connection), follow=True)
    second = client.post(_url("connection_sync", connection), follow=True)

    assert first.status_code == second.status_code == 200
    assert "The task queue is unavailable" in first.content.decode()
    runs = list(SyncRun.objects.for_org(acme).order_by("pk"))
    assert len(runs) == 2  # the second click did not get the first, never-sent run back
    assert [r.state for r in runs] == [SyncRun.State.FAILED, SyncRun.State.FAILED]
    assert runs[0].errors == ["The task queue is unavailable, so the sync did not start: try again in a few minutes."]


@pytest.mark.django_db
def test_test_connection_answers_with_the_reason(client, acme, admin, fake, redis_down):
    connection = make_connection(acme)
    client.force_login(admin.user)

    response = client.post(_url("connection_test", connection), follow=True)

    assert response.status_code == 200
    assert REDIS_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_connecting_with_a_token_says_it_could_not_be_checked_and_stores_nothing(client, acme, admin, fake,
                                                                                 redis_down):
    client.force_login(admin.user)

    response = client.post(reverse("integrations:connection_connect", kwargs={"org_slug": "acme"}),
                           {"provider": "pennylane", "token": "test-company-token"})

    assert response.status_code == 200
    assert "could not be checked now" in response.content.decode()
    assert "refused" not in response.content.decode()
    assert not Connection.objects.for_org(acme).exists()


@pytest.mark.django_db
def test_a_sync_without_the_shared_budget_waits_and_is_retried(acme, fake, redis_down):
    connection = make_connection(acme)
    run = SyncRun.objects.create(organization=acme, connection=connection)

    with pytest.raises(SyncRetry) as retry:
        connection_sync(connection=connection, run=run)

    run.refresh_from_db()
    connection.refresh_from_db()
    assert run.state == SyncRun.State.QUEUED
    assert REDIS_MESSAGE in run.errors[-1]
    assert retry.value.countdown == 60
    assert connection.status == Connection.Status.ACTIVE  # temporary: not "needs attention"
    assert not Invoice.objects.for_org(acme).exists()
