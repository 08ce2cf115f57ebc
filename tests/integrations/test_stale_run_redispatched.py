from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Invoice, SyncRun
from integrations.services import sync_runs_redispatch_stale

pytestmark = pytest.mark.django_db


def test_a_run_whose_worker_died_is_sent_again_and_completes(connection, book, fake,
                                                             django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(hours=1)
    dead = SyncRun.objects.create(organization=connection.organization, connection=connection,
                                  state=SyncRun.State.RUNNING, attempt=1, started_at=long_ago, heartbeat_at=long_ago)
    alive = SyncRun.objects.create(organization=connection.organization, connection=connection,
                                   state=SyncRun.State.RUNNING, attempt=1, heartbeat_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        resent = sync_runs_redispatch_stale()

    assert [r.pk for r in resent] == [dead.pk]
    dead.refresh_from_db()
    assert dead.state == SyncRun.State.DONE and dead.attempt == 2
    assert Invoice.objects.for_org(connection.organization).count() == 31
    alive.refresh_from_db()
    assert alive.state == SyncRun.State.RUNNING
