from decimal import Decimal

import pytest

from integrations.models import Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_second_sync_follows_the_changelog_and_fetches_only_changed_invoices(connection, book, any_fake):
    connection_sync(connection=connection)
    invoice = next(o for o in book.objects["customer_invoices"].values() if o["status"] != "paid")
    any_fake.upsert(book.company_id, "customer_invoices", {**invoice, "status": "paid", "paid": True,
                                                      "remaining_amount_with_tax": "0.00"})
    any_fake.requests.clear()

    run = connection_sync(connection=connection)

    stored = Invoice.objects.for_org(connection.organization).get(external_id=str(invoice["id"]))
    assert stored.status == "paid" and stored.remaining_amount_incl_tax == Decimal("0.00")
    assert run.counts["invoice"]["updated"] == 1
    assert run.total("created") == 0
    # The changed invoice was fetched by id; no full listing of invoices was requested.
    invoice_lists = [r for r in any_fake.requests if r["path"].endswith("/v2/customer_invoices")]
    assert len(invoice_lists) == 1 and '"operator": "in"' in invoice_lists[0]["params"]["filter"]
    assert any(r["path"].endswith("/changelogs/customer_invoices") for r in any_fake.requests)


def test_changelog_requests_send_start_date_or_cursor_never_both(connection, book, any_fake):
    connection_sync(connection=connection)
    connection_sync(connection=connection)

    changelog_calls = [r["params"] for r in any_fake.requests if "/changelogs/" in r["path"]]
    assert changelog_calls
    assert all(("start_date" in p) != ("cursor" in p) for p in changelog_calls)
