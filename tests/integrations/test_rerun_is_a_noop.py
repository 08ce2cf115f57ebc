import pytest

from integrations.models import Invoice, LedgerLine
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_a_second_sync_without_changes_creates_and_updates_nothing(connection, book, any_fake):
    connection_sync(connection=connection)
    before = list(Invoice.objects.for_org(connection.organization).order_by("pk").values())

    run = connection_sync(connection=connection)

    assert run.total("created") == 0 and run.total("updated") == 0 and run.total("deleted") == 0
    assert list(Invoice.objects.for_org(connection.organization).order_by("pk").values()) == before


def test_a_forced_full_sync_of_unchanged_data_changes_nothing_either(connection, book, any_fake):
    connection_sync(connection=connection)
    lines = LedgerLine.objects.for_org(connection.organization).count()

    run = connection_sync(connection=connection, full=True)

    assert run.total("created") == 0 and run.total("updated") == 0 and run.total("deleted") == 0
    assert run.counts["ledgerline"]["unchanged"] == lines
