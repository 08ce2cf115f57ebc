"""One refused resource (403 scope missing, 404 endpoint absent) must not sink the sync."""

import pytest

from integrations.fakes.pennylane import SCOPES
from integrations.models import BankTransaction, Connection, Invoice, LedgerLine, Subscription, SyncRun
from integrations.services import connection_sync
from tests.integrations.conftest import TOKEN

pytestmark = pytest.mark.django_db


def test_a_token_without_the_subscriptions_scope_still_syncs_its_invoices_and_ledger(connection, fake, book):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"billing_subscriptions:readonly"}

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    org = connection.organization
    assert run.state == SyncRun.State.DONE
    assert Invoice.objects.for_org(org).filter(kind="customer").count() == len(book.objects["customer_invoices"])
    assert LedgerLine.objects.for_org(org).count() == len(book.objects["ledger_entry_lines"])
    assert not Subscription.objects.for_org(org).exists()
    assert [(s["object_type"], s["reason"]) for s in run.skipped] == [
        ("billing_subscriptions",
         "Subscriptions: this token lacks the billing_subscriptions:readonly scope — MRR will not show.")]


def test_a_partly_refused_token_leaves_the_connection_partly_synced_not_needing_attention(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"transactions:readonly"}

    connection_sync(connection=connection)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.PARTLY_SYNCED
    assert "Bank transactions: this token lacks the transactions:readonly scope" in connection.last_error
    assert not BankTransaction.objects.for_org(connection.organization).exists()


def test_a_partly_synced_connection_is_active_again_once_the_scope_is_granted(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"transactions:readonly"}
    connection_sync(connection=connection)

    fake.scopes.pop(TOKEN)
    connection_sync(connection=connection)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE and connection.last_error == ""
    assert BankTransaction.objects.for_org(connection.organization).exists()


def test_a_token_that_can_read_nothing_needs_attention(connection, fake):
    fake.scopes[TOKEN] = set()

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert connection.last_error.startswith("Ledger accounts: this token lacks the ledger_accounts:readonly scope")
    assert "transactions:readonly" in run.errors[-1]


def test_without_the_ledger_accounts_scope_the_lines_are_skipped_not_rejected(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"ledger_accounts:readonly"}

    run = connection_sync(connection=connection)

    assert run.rejected_total == 0
    assert {s["object_type"] for s in run.skipped} == {"ledger_accounts", "ledger_entry_lines"}
    assert Invoice.objects.for_org(connection.organization).exists()
