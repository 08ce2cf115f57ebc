import pytest

from integrations.models import Connection, SyncRun
from integrations.services import sync_run_enqueue

pytestmark = pytest.mark.django_db


def test_a_provider_down_three_times_leaves_a_dead_run_and_a_connection_needing_attention(
        connection, fake, django_capture_on_commit_callbacks):
    fake.faults.server_errors = 10_000  # every answer is a 503

    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)

    run.refresh_from_db()
    connection.refresh_from_db()
    assert run.state == SyncRun.State.DEAD
    assert run.attempt == 3
    assert len(run.errors) == 3
    assert connection.status == Connection.Status.NEEDS_ATTENTION


def test_a_revoked_token_fails_at_once_without_retrying(connection, fake, django_capture_on_commit_callbacks):
    fake.tokens.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)

    run.refresh_from_db()
    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED and run.attempt == 1
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "refused the token" in connection.last_error


def test_a_redelivered_task_for_a_finished_run_does_nothing(connection, fake, django_capture_on_commit_callbacks):
    from integrations.tasks import sync_run_execute_task

    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    fake.requests.clear()

    sync_run_execute_task.delay(run.pk)

    run.refresh_from_db()
    assert run.state == SyncRun.State.DONE and run.attempt == 1
    assert fake.requests == []
