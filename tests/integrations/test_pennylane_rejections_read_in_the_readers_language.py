"""A Pennylane sync runs in a worker, in no reader's language: a rejected record's reason is kept in English
for the logs, and each member reads it in their own language on the run's page."""

from html import unescape

import pytest
from django.urls import reverse

from integrations.models import RejectedRecord
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(connection, book, fake):
    invoice = dict(next(iter(book.objects["customer_invoices"].values())))
    bad = fake.upsert(book.company_id, "customer_invoices", {**invoice, "id": None, "amount": "12,5O",
                                                            "invoice_number": "F-BAD-1"})
    return connection_sync(connection=connection), str(bad["id"])


def _run_page(client, member, run, language: str) -> str:
    client.force_login(member.user)
    url = reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    return unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


def test_the_reason_is_kept_in_english_for_the_logs(acme, rejected):
    run, external_id = rejected
    assert RejectedRecord.objects.for_org(acme).get(sync_run=run).reason == (
        f"invoice {external_id}: amount '12,5O' is not a decimal amount")


def test_a_french_reader_reads_the_reason_in_french(client, alice, rejected):
    run, external_id = rejected
    page = _run_page(client, alice, run, "fr")
    assert f"facture {external_id}\u202f: amount '12,5O' n’est pas un montant décimal" in page


def test_an_english_reader_reads_it_in_english(client, alice, rejected):
    run, external_id = rejected
    assert f"invoice {external_id}: amount '12,5O' is not a decimal amount" in _run_page(client, alice, run, "en")
