"""A sync runs in a worker, in no reader's language: a rejected record's reason is kept in English for the
logs, and each member reads it in their own language on the run's page."""

import pytest
from django.urls import reverse

from integrations.models import RejectedRecord
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected_run(acme, hubspot_connection, hubspot_fake):
    hubspot_fake.scenario.add_deal(name="Opale — renewal", amount="12 OOO", stage="qualifiedtobuy")
    return connection_sync(connection=hubspot_connection)


def _run_page(client, member, run, language) -> str:
    client.force_login(member.user)
    url = reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_reason_is_stored_in_english_for_the_logs(acme, rejected_run):
    assert RejectedRecord.objects.for_org(acme).get(sync_run=rejected_run).reason == (
        "The deal amount '12 OOO' is not a number.")


def test_a_french_reader_reads_the_reason_in_french(client, acme_ceo, rejected_run):
    html = _run_page(client, acme_ceo, rejected_run, "fr")
    assert "Le montant de l’opportunité &#x27;12 OOO&#x27; n’est pas un nombre." in html


def test_an_english_reader_reads_it_in_english(client, acme_ceo, rejected_run):
    html = _run_page(client, acme_ceo, rejected_run, "en")
    assert "The deal amount &#x27;12 OOO&#x27; is not a number." in html
