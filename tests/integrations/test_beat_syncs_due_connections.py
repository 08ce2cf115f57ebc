from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, SyncRun
from integrations.services import connections_sync_due
from tests.factories import make_org
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db


def test_beat_queues_only_active_connections_whose_interval_elapsed(django_capture_on_commit_callbacks):
    due = make_connection(make_org(), sync_interval=60)
    recent = make_connection(make_org(), sync_interval=60)
    SyncRun.objects.create(organization=recent.organization, connection=recent, state=SyncRun.State.DONE)
    paused = make_connection(make_org(), status=Connection.Status.PAUSED)
    old = make_connection(make_org(), sync_interval=60)
    old_run = SyncRun.objects.create(organization=old.organization, connection=old, state=SyncRun.State.DONE)
    SyncRun.objects.filter(pk=old_run.pk).update(created_at=timezone.now() - timedelta(minutes=61))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        runs = connections_sync_due()

    assert {r.connection_id for r in runs} == {due.pk, old.pk}
    assert len(callbacks) == 2
    assert paused.pk not in {r.connection_id for r in runs}


def test_a_second_beat_in_the_same_interval_queues_nothing_more(django_capture_on_commit_callbacks):
    make_connection(make_org())

    with django_capture_on_commit_callbacks(execute=False):
        first = connections_sync_due()
        second = connections_sync_due()

    assert len(first) == 1 and second == []


def test_a_weekly_full_reconciliation_is_scheduled_once_the_last_full_sync_is_a_week_old(
        django_capture_on_commit_callbacks):
    now = timezone.now()
    stale = make_connection(make_org(), last_success_at=now - timedelta(hours=2),
                            last_full_sync_at=now - timedelta(days=8))
    fresh = make_connection(make_org(), last_success_at=now - timedelta(hours=2),
                            last_full_sync_at=now - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=False):
        runs = {r.connection_id: r for r in connections_sync_due(now=now)}

    assert runs[stale.pk].is_full is True
    assert runs[fresh.pk].is_full is False
