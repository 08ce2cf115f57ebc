"""Disconnect (with or without purge) and pause stop a sync that is running: the next page write aborts,
so the run never writes records or cursors back into a connection the admin let go."""

import pytest
from django.test import override_settings

from integrations import services
from integrations.models import Connection, Customer, Invoice, LedgerAccount, LedgerLine, Supplier, SyncRun
from integrations.services import connection_disconnect, connection_pause, connection_sync

pytestmark = pytest.mark.django_db

RECORD_MODELS = (LedgerAccount, Customer, Supplier, Invoice, LedgerLine)  # the 2026 sync reads accounts first


def _records(org) -> int:
    return sum(model.objects.for_org(org).count() for model in RECORD_MODELS)


@pytest.fixture
def admin_acts_after_two_pages(monkeypatch):
    """Runs `action` between the sync's second and third page, as an admin's click lands mid-run."""
    write = services._PageWriter.write
    state = {"pages": 0, "action": None}

    def write_then_act(self, page):
        write(self, page)
        state["pages"] += 1
        if state["pages"] == 2:
            state["action"]()

    monkeypatch.setattr(services._PageWriter, "write", write_then_act)
    return state


@override_settings(PENNYLANE_PAGE_LIMIT=10)
def test_disconnect_and_purge_during_a_sync_leaves_no_record_and_no_cursor(acme, fake, connection,
                                                                           admin_acts_after_two_pages):
    admin_acts_after_two_pages["action"] = lambda: connection_disconnect(connection=Connection.objects.get(
        pk=connection.pk), purge=True, by=None)

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert _records(acme) == 0
    assert connection.cursors == {}
    assert connection.status == Connection.Status.DISCONNECTED
    assert run.state == SyncRun.State.CANCELLED
    assert admin_acts_after_two_pages["pages"] == 2  # not one page more was written


@override_settings(PENNYLANE_PAGE_LIMIT=10)
def test_disconnect_keeping_records_during_a_sync_writes_nothing_more(acme, fake, connection,
                                                                      admin_acts_after_two_pages):
    counts = {}

    def disconnect():
        counts["before"] = _records(acme)
        connection_disconnect(connection=Connection.objects.get(pk=connection.pk), purge=False, by=None)

    admin_acts_after_two_pages["action"] = disconnect

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert _records(acme) == counts["before"] > 0
    assert connection.cursors == {}
    assert connection.status == Connection.Status.DISCONNECTED
    assert run.state == SyncRun.State.CANCELLED


@override_settings(PENNYLANE_PAGE_LIMIT=10)
def test_pause_during_a_sync_stops_it_after_the_current_page(acme, fake, connection, admin_acts_after_two_pages):
    counts = {}

    def pause():
        counts["before"] = _records(acme)
        counts["cursors"] = Connection.objects.get(pk=connection.pk).cursors
        connection_pause(connection=Connection.objects.get(pk=connection.pk), by=None)

    admin_acts_after_two_pages["action"] = pause

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert _records(acme) == counts["before"]
    assert connection.cursors == counts["cursors"]  # resuming carries on from the last page written
    assert connection.status == Connection.Status.PAUSED
    assert run.state == SyncRun.State.CANCELLED
    assert run.errors[-1] == "Stopped: the connection was paused."
