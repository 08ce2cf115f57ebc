from datetime import timedelta
from decimal import Decimal

import pytest

from integrations.models import Invoice, Payment
from integrations.services import connection_sync
from tests.integrations.conftest import today

pytestmark = pytest.mark.django_db


def test_a_payment_recorded_after_the_last_sync_is_dated_when_it_was_made(connection, book, fake, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    connection_sync(connection=connection)
    unpaid = next(o for o in book.objects["customer_invoices"].values() if o["status"] in ("late", "upcoming"))
    first_log = len(book.changelog)
    made_on = today() - timedelta(days=20)
    book.builder.pay(unpaid, Decimal(unpaid["amount"]), made_on, recorded=today())
    stamp = fake.now().isoformat().replace("+00:00", "Z")
    for entry in book.changelog[first_log:]:  # Pennylane records it now
        entry["processed_at"] = entry["created_at"] = entry["updated_at"] = stamp
    calls = []
    monkeypatch.setattr("kpis.services.kpi_values_recompute_enqueue",
                        lambda *, org, changes: calls.append(changes))

    with django_capture_on_commit_callbacks(execute=True):
        connection_sync(connection=connection)

    stored = Invoice.objects.for_org(connection.organization).get(external_id=str(unpaid["id"]))
    assert stored.paid_date == made_on and stored.remaining_amount_incl_tax == Decimal("0.00")
    assert list(Payment.objects.for_org(connection.organization).filter(invoice=stored)
                .values_list("date", "amount")) == [(made_on, Decimal(unpaid["amount"]))]
    assert any(made_on in changes.get("payment", ()) for changes in calls)
