"""A confirmed import writes the records its validation typed, without reading the file again, unless the
rows the file names have changed since: a customer or an order deleted, renamed or replaced."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from imports import services
from imports.models import ImportRun
from imports.typed_rows import TypedRowsWriter, typed_rows_read
from integrations.base import Record
from integrations.models import Customer, Order, Return
from tests.imports.helpers import confirm, csv_bytes, upload

ORDERS = csv_bytes(["number;placed_at;shipped_at;amount_excl_tax;customer",
                    "T-1;02/03/2026 09:15;03/03/2026 10:00;1 234,50;Dupont SA", "T-2;2026-03-04;;12;"])


@pytest.fixture
def dupont(acme):
    return Customer.objects.create(organization=acme, source="pennylane", external_id="cus-1", name="Dupont SA")


def _reading_the_file_fails(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the confirmed write read the file again")

    monkeypatch.setattr(services, "read_table", refuse)


def test_the_confirmed_write_does_not_read_the_file_again(acme, bob, dupont, monkeypatch):
    run = upload(acme, bob, ORDERS)
    _reading_the_file_fails(monkeypatch)

    run = confirm(run, bob)

    assert run.state == "done" and run.counts["created"] == 2
    first = Order.objects.for_org(acme).get(number="T-1")
    paris = ZoneInfo("Europe/Paris")
    assert first.placed_at == datetime(2026, 3, 2, 9, 15, tzinfo=paris)
    assert first.shipped_at == datetime(2026, 3, 3, 10, 0, tzinfo=paris)
    assert first.amount_excl_tax == Decimal("1234.50") and first.customer_id == dupont.pk
    assert Order.objects.for_org(acme).get(number="T-2").customer_id is None
    assert ImportRun.objects.get(pk=run.pk).typed_rows == b""  # dropped with the file


@pytest.mark.parametrize("gone", ["deleted", "marked deleted", "renamed"])
def test_a_customer_gone_between_preview_and_confirm_rejects_its_row(acme, bob, dupont, gone):
    run = upload(acme, bob, ORDERS)
    assert run.state == "ready"
    if gone == "deleted":
        dupont.delete()
    elif gone == "marked deleted":
        Customer.objects.for_org(acme).filter(pk=dupont.pk).update(is_deleted=True)
    else:
        Customer.objects.for_org(acme).filter(pk=dupont.pk).update(name="Dupont Frères")

    run = confirm(run, bob)

    assert run.state == "invalid"
    assert [(e["row"], e["column"], e["code"]) for e in run.errors] == [(2, "customer", "unknown_customer")]
    assert Order.objects.for_org(acme).count() == 0


def test_a_customer_replaced_by_one_of_the_same_name_gets_the_rows(acme, bob, dupont):
    run = upload(acme, bob, ORDERS)
    dupont.delete()
    again = Customer.objects.create(organization=acme, source="hubspot", external_id="c-9", name="dupont sa")

    run = confirm(run, bob)

    assert run.state == "done"
    assert Order.objects.for_org(acme).get(number="T-1").customer_id == again.pk


def test_a_return_whose_order_was_deleted_meanwhile_is_rejected(acme, bob, dupont):
    confirm(upload(acme, bob, ORDERS), bob)
    run = upload(acme, bob, csv_bytes(["order;returned_on;amount", "T-2;2026-03-10;12"]), kind="returns",
                 name="returns.csv")
    assert run.state == "ready"
    Order.objects.for_org(acme).filter(number="T-2").update(is_deleted=True)

    run = confirm(run, bob)

    assert run.state == "invalid" and run.errors[0]["code"] == "unknown_order"
    assert Return.objects.for_org(acme).count() == 0


def test_an_order_number_imported_meanwhile_is_updated_not_duplicated(acme, bob, dupont):
    waiting = upload(acme, bob, ORDERS)
    confirm(upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax", "T-2;2026-03-04;99"])), bob)

    run = confirm(waiting, bob)

    assert run.counts == {"created": 1, "updated": 1, "unchanged": 0, "deleted": 0}
    assert Order.objects.for_org(acme).count() == 2
    assert Order.objects.for_org(acme).get(number="T-2").amount_excl_tax == Decimal("12.00")


def test_a_run_validated_without_typed_rows_is_validated_again_and_written(acme, bob):
    run = upload(acme, bob, ORDERS.replace(b";Dupont SA", b";"))
    ImportRun.objects.filter(pk=run.pk).update(typed_rows=b"", lookups_found={})  # validated before they were kept

    run = confirm(run, bob)

    assert run.state == "done" and Order.objects.for_org(acme).count() == 2


def test_typed_rows_come_back_as_they_were_typed():
    paris = ZoneInfo("Europe/Paris")
    fields = {"number": "N-1", "placed_at": datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("UTC")),
              "local": datetime(2026, 7, 1, 9, 0, tzinfo=paris), "day": date(2026, 2, 28), "units": 3,
              "amount": Decimal("-1234.560"), "flag": True, "customer_id": None, "text": "« ; \" \n »"}
    writer = TypedRowsWriter()
    writer.add(Record(model="order", external_id="N-1", fields=fields))

    (back,) = typed_rows_read(writer.finish(), model="order")

    assert back.external_id == "N-1" and back.model == "order"
    assert back.fields == fields
    assert [type(v) for v in back.fields.values()] == [type(v) for v in fields.values()]
    assert str(back.fields["amount"]) == "-1234.560"
    assert back.fields["local"].utcoffset() == fields["local"].utcoffset()


def test_a_value_the_codec_does_not_know_keeps_no_typed_rows():
    writer = TypedRowsWriter()
    writer.add(Record(model="order", external_id="N-1", fields={"number": "N-1"}))
    writer.add(Record(model="order", external_id="N-2", fields={"number": ["not", "a", "cell"]}))

    assert writer.finish() == b""  # the write will validate the file again


def test_values_the_record_cannot_hold_are_rejected_at_validation_not_at_the_write(acme, bob):
    run = upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax;fulfilment_cost;channel",
                                       f"L-1;2026-03-04;12,345;1;{'w' * 81}",
                                       "L-2;2026-03-04;12;123456789012345;web", "L-3;2026-03-04;12,50;7,100;web"]))

    assert run.state == "invalid"
    assert sorted((e["row"], e["column"], e["code"], e["params"]) for e in run.errors) == [
        (2, "amount_excl_tax", "too_many_digits", {"whole": 14, "places": 2}), (2, "channel", "too_long", {"max": 80}),
        (3, "fulfilment_cost", "too_many_digits", {"whole": 14, "places": 2})]
    assert run.rows_rejected == 2  # 7,100 is 7.10: trailing zeros fit
