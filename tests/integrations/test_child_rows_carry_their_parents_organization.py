import pytest

from integrations.models import RejectedRecord, SyncRun
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_runs_and_rejections_belong_to_their_connections_organization(connection, book, fake):
    invoice = dict(next(iter(book.objects["customer_invoices"].values())))
    fake.upsert(book.company_id, "customer_invoices", {**invoice, "id": None, "amount": "n/a"})

    connection_sync(connection=connection)

    runs = SyncRun.objects.for_org(connection.organization).select_related("connection")
    assert runs and all(r.organization_id == r.connection.organization_id for r in runs)
    rejected = RejectedRecord.objects.for_org(connection.organization).select_related("sync_run")
    assert rejected and all(r.organization_id == r.sync_run.organization_id for r in rejected)
