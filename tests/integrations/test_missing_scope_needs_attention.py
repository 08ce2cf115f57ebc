import pytest

from integrations.fakes.pennylane import SCOPES
from integrations.models import Connection, SyncRun
from integrations.services import connection_sync
from tests.integrations.conftest import TOKEN

pytestmark = pytest.mark.django_db


def test_a_token_without_the_transactions_scope_stops_the_sync_and_says_which_scope(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"transactions:readonly"}

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED and run.attempt == 1
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert "transactions:readonly" in connection.last_error
