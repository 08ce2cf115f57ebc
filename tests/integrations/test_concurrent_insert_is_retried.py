import pytest
from django.db import IntegrityError

from integrations import services
from integrations.models import Customer
from integrations.services import connection_sync

pytestmark = pytest.mark.django_db


def test_a_record_inserted_meanwhile_by_another_connection_is_updated_not_duplicated(connection, book, fake,
                                                                                      monkeypatch):
    first_customer = str(next(iter(book.objects["customers"])))
    upsert = services._PageWriter._upsert
    calls = {"customer": 0}

    def racing_upsert(self, model_name, records, counts, changes):
        if model_name == "customer":
            calls["customer"] += 1
            if calls["customer"] == 1:
                # Another connection of the same organization committed the same Pennylane customer
                # between our read and our insert: the unique key refuses the insert.
                raise IntegrityError("duplicate key value violates unique constraint \"customer_source_uniq\"")
            if calls["customer"] == 2:
                Customer.objects.create(organization=self.org, source="pennylane", external_id=first_customer,
                                        name="Inserted meanwhile")
        return upsert(self, model_name, records, counts, changes)

    monkeypatch.setattr(services._PageWriter, "_upsert", racing_upsert)

    run = connection_sync(connection=connection)

    assert run.state == "done"
    customers = Customer.objects.for_org(connection.organization)
    assert customers.count() == 3
    assert customers.get(external_id=first_customer).name != "Inserted meanwhile"
    assert calls["customer"] == 2
    assert run.counts["customer"] == {"created": 2, "updated": 1, "unchanged": 0, "deleted": 0, "rejected": 0}
