"""The integrations page shows each connection with its latest run: it reads that run, not the history."""

import pytest
from django.db.models.signals import post_init

from integrations.models import Connection, SyncRun
from integrations.selectors import connections_for

pytestmark = pytest.mark.django_db


def _runs(connection, count):
    return [SyncRun.objects.create(organization=connection.organization, connection=connection,
                                   state=SyncRun.State.DONE) for _ in range(count)]


def test_each_connection_comes_with_its_latest_run_and_no_other(acme, django_assert_max_num_queries):
    pennylane = Connection.objects.create(organization=acme, provider="pennylane", credentials={"token": "t"})
    hubspot = Connection.objects.create(organization=acme, provider="hubspot", credentials={"token": "t"})
    newest = {pennylane.pk: _runs(pennylane, 40)[-1].pk, hubspot.pk: _runs(hubspot, 25)[-1].pk}
    Connection.objects.create(organization=acme, provider="pennylane", credentials={"token": "t"})  # never synced
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=SyncRun)
    try:
        with django_assert_max_num_queries(2):
            connections = connections_for(acme)
    finally:
        post_init.disconnect(count, sender=SyncRun)

    assert {c.pk: c.latest_run.pk for c in connections if c.latest_run} == newest
    assert len(loaded) == 2  # two latest runs, not 65
