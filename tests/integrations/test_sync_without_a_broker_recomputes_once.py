import pytest
from django.core.cache import cache
from django.test import override_settings

from integrations.services import connection_sync
from kpis.services import _changes_key

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit callbacks run when each page commits


@override_settings(PENNYLANE_PAGE_LIMIT=20, CELERY_TASK_ALWAYS_EAGER=True)
def test_a_many_page_sync_without_a_broker_schedules_one_recompute_at_its_end(connection, fake, monkeypatch):
    scheduled = []

    def run_at_once(args, countdown):
        # What an eager task does: it runs now, and its first act clears the debounce key.
        scheduled.append(args)
        cache.delete(_changes_key(args[0]))

    monkeypatch.setattr("kpis.tasks.kpi_values_recompute_pending_task.apply_async", run_at_once)

    run = connection_sync(connection=connection)

    assert run.pages > 3
    assert scheduled == [[connection.organization.pk]]
