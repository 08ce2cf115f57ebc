import pytest

from integrations.models import Invoice, RejectedRecord
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_a_malformed_invoice_is_rejected_with_its_reason_and_the_rest_is_stored(connection, book, any_fake):
    invoice = dict(next(iter(book.objects["customer_invoices"].values())))
    bad = any_fake.upsert(book.company_id, "customer_invoices", {**invoice, "id": None, "amount": "12,5O",
                                                            "invoice_number": "F-BAD-1"})
    misdated = any_fake.upsert(book.company_id, "customer_invoices", {**invoice, "id": None, "deadline": "31/12/2026",
                                                                 "invoice_number": "F-BAD-2"})

    run = connection_sync(connection=connection)

    assert run.state == "done"
    assert run.counts["invoice"]["rejected"] == 2
    reasons = dict(RejectedRecord.objects.for_org(connection.organization).values_list("external_id", "reason"))
    assert "'12,5O' is not a decimal amount" in reasons[str(bad["id"])]
    assert "deadline '31/12/2026' is not a date" in reasons[str(misdated["id"])]
    assert Invoice.objects.for_org(connection.organization).filter(kind="customer").count() == 30


def test_a_value_the_schema_refuses_is_rejected_by_the_service_not_crashing_the_run(connection, book, any_fake):
    invoice = dict(next(iter(book.objects["customer_invoices"].values())))
    huge = any_fake.upsert(book.company_id, "customer_invoices", {**invoice, "id": None, "amount": "1e20"})

    run = connection_sync(connection=connection)

    assert run.state == "done"
    rejection = RejectedRecord.objects.for_org(connection.organization).get(external_id=str(huge["id"]))
    assert "amount_incl_tax" in rejection.reason
