"""The records browser and the sync runs write dates and amounts in the reader's language: French in
French (01/12/2026, 1 234,56), English day-first (01/12/2026, 1,234.56), never a US month-first date."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Invoice, SyncRun
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db


def _invoice(org):
    return Invoice.objects.create(organization=org, source="pennylane", external_id="F-1", kind="customer",
                                  number="F-2026-0001", issue_date=date(2026, 3, 4), due_date=date(2026, 4, 3),
                                  amount_excl_tax=Decimal("1234.56"), amount_incl_tax=Decimal("1481.47"),
                                  currency_amount_incl_tax=Decimal("1481.47"),
                                  remaining_amount_incl_tax=Decimal("0"))


def _records(client, member, language) -> str:
    client.force_login(member.user)
    return client.get(reverse("integrations:record_list", kwargs={"org_slug": "acme"}), {"type": "invoice"},
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_records_browser_in_french(client, acme, acme_ceo):
    _invoice(acme)
    html = _records(client, acme_ceo, "fr")
    assert "04/03/2026" in html
    assert "1\u202f234,56" in html or "1\xa0234,56" in html


def test_the_records_browser_in_english_is_day_first(client, acme, acme_ceo):
    _invoice(acme)
    html = _records(client, acme_ceo, "en")
    assert "04/03/2026" in html and "03/04/2026" in html  # issued 4 March, due 3 April
    assert "1,234.56" in html
    assert "March 4" not in html and "Mar. 4" not in html


def test_a_sync_run_page_is_day_first_in_english(client, acme, acme_ceo):
    connection = make_connection(acme)
    started = timezone.make_aware(timezone.datetime(2026, 3, 4, 9, 30))
    run = SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE,
                                 started_at=started, finished_at=started)
    SyncRun.objects.filter(pk=run.pk).update(created_at=started)
    client.force_login(acme_ceo.user)
    html = client.get(reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk}),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "04/03/2026 09:30" in html
    assert "03/04/2026" not in html


def test_invoice_statuses_are_in_the_readers_language(client, acme, acme_ceo):
    invoice = _invoice(acme)
    Invoice.objects.filter(pk=invoice.pk).update(status="upcoming")
    html = _records(client, acme_ceo, "fr")
    assert "À échoir" in html and ">upcoming<" not in html


def test_rejected_records_name_their_type_in_the_readers_language(client, acme, acme_ceo):
    from integrations.models import RejectedRecord

    run = SyncRun.objects.create(organization=acme, connection=make_connection(acme), state=SyncRun.State.DONE)
    RejectedRecord.objects.create(organization=acme, sync_run=run, model="invoice", external_id="X-1",
                                  reason="bad amount", payload={})
    client.force_login(acme_ceo.user)
    html = client.get(reverse("integrations:sync_run_detail", kwargs={"org_slug": "acme", "sync_run_id": run.pk}),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<td>Factures</td>" in html
