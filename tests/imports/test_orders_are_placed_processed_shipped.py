"""Orders carry placed → processed → shipped → delivered; the time to process an order is a KPI of its own."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from integrations.models import Order, Return
from kpis.models import KpiValue
from kpis.services import catalogue_install
from tests.imports.helpers import confirm, csv_bytes, upload

HEADER = "number;placed_at;processed_at;shipped_at;amount_excl_tax"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_processing_before_placing_or_shipping_before_processing_is_refused(acme, bob):
    run = upload(acme, bob, csv_bytes([HEADER, "A-1;2026-03-02 10:00;2026-03-02 09:00;;10",
                                       "A-2;2026-03-02 10:00;2026-03-03 10:00;2026-03-02 18:00;10"]))
    assert [(e["row"], e["column"], e["code"]) for e in run.errors] == [
        (2, "processed_at", "before"), (3, "shipped_at", "before")]


def test_time_to_process_is_the_mean_of_placed_to_processed(acme, bob, django_capture_on_commit_callbacks):
    catalogue_install(acme)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(upload(acme, bob, csv_bytes([HEADER, "A-1;2026-03-02 10:00;2026-03-02 14:00;2026-03-03 10:00;10",
                                             "A-2;2026-03-05 08:00;2026-03-05 16:00;;10",
                                             "A-3;2026-03-06 08:00;;2026-03-07 08:00;10"])), bob)
    assert Order.objects.for_org(acme).get(number="A-2").processed_at is not None
    value = KpiValue.objects.for_org(acme).get(kpi__slug="order_time_to_process", grain="month",
                                               period_start=date(2026, 3, 1), dimension_value="").value
    assert value == Decimal("6")  # (4 h + 8 h) / 2; A-3 was never marked processed


def test_a_return_keeps_its_reason(acme, bob):
    confirm(upload(acme, bob, csv_bytes([HEADER, "A-1;2026-03-02 10:00;;;10"])), bob)
    run = confirm(upload(acme, bob, csv_bytes(["Commande;Date de retour;Montant;Motif", "A-1;10/03/2026;10;Taille"]),
                         kind="returns", name="retours.csv"), bob)
    assert run.state == run.State.DONE, run.errors
    assert Return.objects.for_org(acme).get().reason == "Taille"
