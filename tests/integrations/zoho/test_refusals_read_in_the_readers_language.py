"""A Zoho CRM sync runs in a worker, in no reader's language: a refused module is kept in English for the logs
and each member reads it in their own language on the run's page."""

from html import unescape

import pytest
from django.urls import reverse

from integrations.fakes.hubspot import Fault
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_run(zoho_connection, zoho_fake):
    zoho_fake.faults.append(Fault(status=403, times=10, path="/crm/v8/Leads"))
    return connection_sync(connection=zoho_connection)


def _run_page(client, member, run, language: str) -> str:
    client.force_login(member.user)
    url = reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk})
    return unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


def test_the_refused_module_is_kept_in_english(refused_run):
    assert refused_run.skipped[0]["reason"] == (
        "Leads: Zoho CRM refused them (INTERNAL_ERROR) — leads and conversion will not show.")


def test_a_french_reader_reads_the_refused_module_in_french(client, acme_ceo, refused_run):
    page = _run_page(client, acme_ceo, refused_run, "fr")
    assert "Zoho CRM les a refusés (INTERNAL_ERROR)" in page
    assert "refused them" not in page
