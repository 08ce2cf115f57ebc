from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.fakes.scenario import grow_until
from integrations.models import Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_as_days_pass_incremental_syncs_bring_new_invoices_and_those_turning_late(connection, book, any_fake):
    connection_sync(connection=connection)
    start = book.today
    invoices = Invoice.objects.for_org(connection.organization).filter(kind="customer")
    assert invoices.count() == 30

    grow_until(book, start + timedelta(days=5), processed_at=timezone.now().isoformat())
    first = connection_sync(connection=connection)
    fresh = list(invoices.filter(issue_date__gt=start).values_list("external_id", flat=True))
    grow_until(book, start + timedelta(days=45), processed_at=timezone.now().isoformat())
    second = connection_sync(connection=connection)

    # Two new invoices a day: 10 in the first five days, 80 in the next forty.
    assert first.counts["invoice"]["created"] == 10 and len(fresh) == 10
    assert second.counts["invoice"]["created"] == 80
    # Due 30 days after issue and unpaid, the first ten are late by day 45.
    assert set(invoices.filter(external_id__in=fresh).values_list("status", flat=True)) == {"late"}
    assert second.counts["invoice"]["updated"] == 10
