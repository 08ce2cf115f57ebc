"""Each imported or pushed record carries its provenance, and KPI lineage says it in words:
"import of orders-2026-11.csv by Bob, 3 Nov 2026" or "pushed by API key “ERP”"."""

from datetime import date

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from accounts.api_keys import api_key_create
from integrations.models import Order, Provenance
from kpis.services import catalogue_install
from tests.imports.helpers import confirm, csv_bytes, upload

HEADER = "number;placed_at;processed_at;shipped_at;amount_excl_tax"
LINES = ["A-1;2026-11-02 09:00;2026-11-02 15:00;2026-11-03 10:00;100", "A-2;2026-11-02 10:00;;2026-11-03 11:00;50"]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def imported(acme, bob):
    bob.user.full_name = "Bob Martin"
    bob.user.save(update_fields=["full_name"])
    with freeze_time("2026-11-03 12:00"):
        return confirm(upload(acme, bob, csv_bytes([HEADER, *LINES]), name="orders-2026-11.csv"), bob)


def test_imported_rows_name_their_file_and_who_imported_them(imported, acme):
    order = Order.objects.for_org(acme).select_related("provenance__by__user").get(number="A-1")
    assert order.provenance.import_run_id == imported.pk
    assert order.provenance.describe() == "import of orders-2026-11.csv by Bob Martin, 3 Nov 2026"


def test_a_reimport_that_changes_nothing_keeps_the_first_provenance(imported, acme, bob):
    again = confirm(upload(acme, bob, csv_bytes([HEADER, LINES[0], LINES[1].replace(";50", ";55")]),
                           name="orders-again.csv"), bob)
    by_number = {o.number: o.provenance.import_run_id for o in Order.objects.for_org(acme).select_related("provenance")}
    assert by_number == {"A-1": imported.pk, "A-2": again.pk}


def test_pushed_rows_name_the_key(client, acme, acme_ceo):
    _key, secret = api_key_create(org=acme, by=acme_ceo, name="ERP", role="viewer", can_write=True)
    client.post("/api/v1/orgs/acme/records/marketing_spend/", [{"date": "2026-03-01", "channel": "ads", "amount": 9}],
                content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    provenance = Provenance.objects.for_org(acme).get()
    assert provenance.kind == Provenance.Kind.API and provenance.api_key.name == "ERP"
    assert provenance.describe().startswith("pushed by API key “ERP”")


def test_kpi_lineage_shows_the_provenance_of_each_record(imported, client, acme, bob):
    catalogue_install(acme)
    client.force_login(bob.user)
    response = client.get(f"/o/acme/kpis/order_time_to_process/lineage/?month=2026-11&metric=processed_hours_mean")
    assert response.status_code == 200
    assert "import of orders-2026-11.csv by Bob Martin, 3 Nov 2026" in response.content.decode()


def test_another_tenants_provenance_is_not_readable(imported, globex):
    assert not Provenance.objects.for_org(globex).exists()
