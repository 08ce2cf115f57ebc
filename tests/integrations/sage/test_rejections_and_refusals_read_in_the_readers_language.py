"""A Sage sync runs in a worker, in no reader's language: a rejected record's reason and a refused area are
kept in English for the logs, and each member reads them in their own language on the run's page."""

from html import unescape

import pytest
from django.urls import reverse

from integrations.models import Invoice, RejectedRecord, SyncRun
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def _run_page(client, member, run, language: str) -> str:
    client.force_login(member.user)
    url = reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    return unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


@pytest.fixture
def rejected_run(sage, sage_fake):
    sage_fake.business.touch("sales_invoices", "si-7", base_currency_total_amount="12,5O")
    return connection_sync(connection=sage)


@pytest.fixture
def refused_run(sage, sage_fake):
    original = sage_fake._route

    def refuse_purchases(method, path, query, headers, body):
        if path == "/v3.1/purchase_invoices":
            return 403, {"Content-Type": "application/json"}, (
                b'[{"$severity": "error", "$dataCode": "AccessDenied", "$message": "No access", "$source": ""}]')
        return original(method, path, query, headers, body)

    sage_fake._route = refuse_purchases
    return connection_sync(connection=sage)


def test_a_malformed_invoice_is_rejected_with_its_reason_in_english_and_the_rest_synced(acme, rejected_run):
    assert rejected_run.state == SyncRun.State.DONE, rejected_run.errors
    assert Invoice.objects.for_org(acme).filter(kind="customer").exists()
    assert RejectedRecord.objects.for_org(acme).get(sync_run=rejected_run).reason == (
        "invoice si-7: a field could not be read ('12,5O' is not a decimal amount)")


def test_a_french_reader_reads_the_rejection_in_french(client, acme_ceo, rejected_run):
    page = _run_page(client, acme_ceo, rejected_run, "fr")
    assert "facture si-7\u202f: un champ n’a pas pu être lu ('12,5O' is not a decimal amount)" in page


def test_a_french_reader_reads_the_refused_area_in_french(client, acme_ceo, refused_run):
    page = _run_page(client, acme_ceo, refused_run, "fr")
    assert "Factures d’achat" in page and "les achats et les dettes fournisseurs ne s’afficheront pas" in page
    assert "will not show" not in page
