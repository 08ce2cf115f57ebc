"""One bad row among ten thousand: nothing is written, and the good file imports whole, once."""

import pytest
from django.core.exceptions import ValidationError

from imports import services
from integrations.models import Order
from tests.imports.helpers import confirm, csv_bytes, upload


def _orders(n: int, *, bad_at: int | None = None) -> bytes:
    lines = ["number;placed_at;amount_excl_tax"]
    for i in range(n):
        amount = "n/a" if i == bad_at else f"{i % 97},50"
        lines.append(f"O-{i};2026-0{1 + i % 9}-1{i % 9};{amount}")
    return csv_bytes(lines)


def test_one_bad_row_among_ten_thousand_writes_nothing(acme, bob):
    run = upload(acme, bob, _orders(10_000, bad_at=7_321))
    assert run.state == "invalid"
    assert [(e["row"], e["column"]) for e in run.errors] == [(7_323, "amount_excl_tax")]
    with pytest.raises(ValidationError):
        services.import_run_confirm(run=run, by=bob)
    assert Order.objects.for_org(acme).count() == 0


def test_a_clean_file_is_written_whole_and_a_second_confirm_writes_nothing_more(acme, bob):
    run = confirm(upload(acme, bob, _orders(2_000)), bob)
    assert run.state == "done"
    assert run.counts == {"created": 2_000, "updated": 0, "unchanged": 0, "deleted": 0}
    with pytest.raises(ValidationError):
        services.import_run_confirm(run=run, by=bob)
    assert Order.objects.for_org(acme).count() == 2_000


def test_reimporting_the_same_file_updates_never_duplicates(acme, bob):
    confirm(upload(acme, bob, _orders(50)), bob)
    again = confirm(upload(acme, bob, _orders(50)), bob)
    assert again.counts["created"] == 0 and again.counts["unchanged"] == 50
    changed = csv_bytes(["number;placed_at;amount_excl_tax", "O-3;2026-04-13;999,00"])
    third = confirm(upload(acme, bob, changed), bob)
    assert third.counts["updated"] == 1
    assert Order.objects.for_org(acme).count() == 50
    assert str(Order.objects.for_org(acme).get(number="O-3").amount_excl_tax) == "999.00"


def test_a_confirmed_import_announces_the_days_it_touched(acme, bob):
    from integrations.events import records_changed

    heard = []

    def listener(sender, *, org, changes, **kwargs):
        heard.append((org, changes))

    records_changed.connect(listener)
    try:
        confirm(upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax", "P-1;2026-02-10;10",
                                             "P-2;2026-05-03;10"])), bob)
    finally:
        records_changed.disconnect(listener)
    assert [(org, {d.month for d in changes["order"]}) for org, changes in heard] == [(acme, {2, 5})]
