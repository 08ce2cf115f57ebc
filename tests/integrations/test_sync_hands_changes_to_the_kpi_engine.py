from datetime import date

import pytest

from integrations.models import Invoice
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_each_committed_page_hands_the_touched_models_and_dates_to_the_kpi_engine(
        connection, book, fake, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr("kpis.services.kpi_values_recompute_enqueue",
                        lambda *, org, changes: calls.append((org, changes)))

    with django_capture_on_commit_callbacks(execute=True):
        connection_sync(connection=connection)

    assert calls and all(org == connection.organization for org, _changes in calls)
    touched: dict[str, set[date]] = {}
    for _org, changes in calls:
        for model, dates in changes.items():
            touched.setdefault(model, set()).update(dates)
    issue_dates = set(Invoice.objects.for_org(connection.organization).values_list("issue_date", flat=True))
    assert issue_dates <= touched["invoice"]
    assert {"customer", "invoice", "ledgerline", "banktransaction"} <= set(touched)


def test_a_sync_without_changes_asks_for_no_recompute(connection, book, fake, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    connection_sync(connection=connection)
    calls = []
    monkeypatch.setattr("kpis.services.kpi_values_recompute_enqueue",
                        lambda *, org, changes: calls.append(changes))

    with django_capture_on_commit_callbacks(execute=True):
        connection_sync(connection=connection)

    assert calls == []
