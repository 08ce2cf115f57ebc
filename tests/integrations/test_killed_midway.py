import pytest
from django.test import override_settings

from integrations import services
from integrations.models import BankTransaction, Customer, Invoice, LedgerLine, SyncRun
from integrations.services import connection_sync
from tests.factories import make_org
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db


def _snapshot(org):
    rows = {}
    for model in (Customer, Invoice, LedgerLine, BankTransaction):
        rows[model.__name__] = sorted(
            model.objects.for_org(org).values_list("external_id", "is_deleted"))
    return rows


class Killed(BaseException):
    """Like SIGKILL for the sync loop: nothing after it runs, no handler catches it."""


@pytest.mark.parametrize("killed_after", [1, 4, 9])
@override_settings(PENNYLANE_PAGE_LIMIT=10)
def test_a_sync_killed_after_n_pages_and_run_again_equals_a_clean_sync(monkeypatch, book, any_fake, killed_after):
    crashed_org, clean_org = make_org(), make_org()
    crashed, clean = make_connection(crashed_org), make_connection(clean_org)
    write = services._PageWriter.write
    written = {"pages": 0}

    def dying_write(self, page):
        if written["pages"] == killed_after:
            raise Killed
        written["pages"] += 1
        return write(self, page)

    monkeypatch.setattr(services._PageWriter, "write", dying_write)
    with pytest.raises(Killed):
        connection_sync(connection=crashed)
    monkeypatch.setattr(services._PageWriter, "write", write)
    stuck = SyncRun.objects.for_org(crashed_org).get()
    assert stuck.state == SyncRun.State.RUNNING  # as a killed worker leaves it

    resumed = connection_sync(connection=crashed, run=stuck)
    connection_sync(connection=clean)

    assert resumed.state == SyncRun.State.DONE and resumed.attempt == 2
    assert _snapshot(crashed_org) == _snapshot(clean_org)
    assert LedgerLine.objects.for_org(crashed_org).count() == len(book.objects["ledger_entry_lines"])
