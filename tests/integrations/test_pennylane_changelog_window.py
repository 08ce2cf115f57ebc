from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_a_changelog_window_missed_for_more_than_four_weeks_falls_back_to_a_full_resync(connection, book, any_fake):
    connection_sync(connection=connection)
    connection.refresh_from_db()
    stale = (timezone.now() - timedelta(days=40)).isoformat()
    cursors = {k: ({**v, "start_date": stale, "changelog_cursor": None} if v.get("phase") == "changes" else v)
               for k, v in connection.cursors.items()}
    connection.cursors = cursors
    connection.save(update_fields=["cursors"])
    any_fake.requests.clear()

    run = connection_sync(connection=connection)

    assert run.state == "done", run.errors
    refused = [r for r in any_fake.requests if "/changelogs/" in r["path"]]
    assert refused, "the stale changelog was tried first"
    listed = [r for r in any_fake.requests if r["path"].endswith("/customer_invoices") and "filter" in r["params"]
              and '"date"' in r["params"]["filter"]]
    assert listed, "then everything was listed again"
    assert Invoice.objects.for_org(connection.organization).count() == 31
    connection.refresh_from_db()
    assert connection.cursors["customer_invoices"]["phase"] == "changes"
    assert connection.cursors["customer_invoices"]["start_date"] > stale


def test_the_fake_answers_422_to_an_old_start_date_and_400_to_start_date_with_cursor(any_fake):
    import httpx

    client = httpx.Client(transport=httpx.WSGITransport(app=any_fake), base_url="http://pennylane.any_fake/api/external/v2",
                          headers={"Authorization": "Bearer test-company-token"})
    old = (timezone.now() - timedelta(days=29)).isoformat()
    too_old = client.get("/changelogs/customer_invoices", params={"start_date": old})
    both = client.get("/changelogs/customer_invoices", params={"start_date": timezone.now().isoformat(),
                                                               "cursor": "abc"})

    assert too_old.status_code == 422 and too_old.json()["error"] == "unprocessable_entity"
    assert both.status_code == 400 and both.json()["status"] == 400
