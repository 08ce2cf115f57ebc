"""A sync runs in a worker, in no one's language; who reads what it skipped reads it in their own."""

from html import unescape

import pytest
from django.urls import reverse

from integrations.fakes.pennylane import SCOPES
from integrations.models import Connection
from integrations.services import connection_sync
from tests.integrations.conftest import TOKEN

pytestmark = pytest.mark.django_db

FRENCH = "Abonnements\u202f: ce jeton n’a pas le droit billing_subscriptions:readonly — le MRR ne s’affichera pas."


@pytest.fixture
def partly_synced(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"billing_subscriptions:readonly"}
    return connection_sync(connection=connection)  # the worker's language: English


def test_a_french_reader_reads_the_skipped_resource_in_french_on_the_run_page(client, alice, partly_synced):
    client.force_login(alice.user)
    page = reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": partly_synced.pk})

    body = unescape(client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode())

    assert FRENCH in body
    assert "this token lacks" not in body


def test_the_connection_says_it_is_partly_synced_in_the_readers_language(client, alice, connection, partly_synced):
    client.force_login(alice.user)
    page = reverse("integrations:connection_detail", kwargs={"org_slug": "acme", "connection_id": connection.pk})

    french = unescape(client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    english = unescape(client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode())

    connection.refresh_from_db()
    assert connection.status == Connection.Status.PARTLY_SYNCED
    assert FRENCH in french and "this token lacks" not in french
    assert "Subscriptions: this token lacks the billing_subscriptions:readonly scope — MRR will not show." in english
