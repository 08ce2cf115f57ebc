"""Every rejected row is listed with its row number, column and reason; nothing is written meanwhile."""

from imports.messages import row_message
from integrations.models import Customer, Order, Return
from tests.imports.helpers import csv_bytes, upload


def _errors(run):
    return {(e["row"], e["column"], e["code"]) for e in run.errors}


def test_each_rejection_reason_names_its_row_and_column(acme, bob):
    Customer.objects.create(organization=acme, source="pennylane", external_id="c1", name="Boutique Dupont")
    content = csv_bytes([
        "number;placed_at;shipped_at;amount_excl_tax;units;customer",
        "A-1;2026-03-01;2026-03-02;10,00;1;Boutique Dupont",  # row 2: valid
        "A-2;31/02/2026;;10;1;",  # row 3: no such day
        "A-3;2026-03-01;;dix euros;1;",  # row 4: not a number
        ";2026-03-01;;10;1;",  # row 5: order number missing
        "A-5;2026-03-01;;10;1;Client Inconnu",  # row 6: unknown customer
        "A-1;2026-03-05;;12;1;",  # row 7: same order number as row 2
        "A-7;2026-03-05;2026-03-01;12;1;",  # row 8: shipped before placed
        "A-8;2026-03-05;;12;-2;",  # row 9: negative units
        "A-9;2026-03-05;;12;1,5;",  # row 10: not a whole number
        "A-10;12/03/9999;;12;1;",  # row 11: a typing error, not a date
    ])
    run = upload(acme, bob, content)
    assert run.state == "invalid"
    assert _errors(run) == {
        (3, "placed_at", "bad_date"), (4, "amount_excl_tax", "bad_number"), (5, "number", "required"),
        (6, "customer", "unknown_customer"), (7, "number", "duplicate"), (8, "shipped_at", "before"),
        (9, "units", "negative"), (10, "units", "bad_integer"), (11, "placed_at", "date_out_of_range"),
    }
    assert run.rows_total == 10 and run.rows_rejected == 9
    assert Order.objects.for_org(acme).count() == 0
    duplicate = next(e for e in run.errors if e["code"] == "duplicate")
    assert row_message(duplicate) == "same key as row 2 of this file"


def test_a_return_must_name_an_order_already_known(acme, bob):
    content = csv_bytes(["order;returned_on;units;amount", "CMD-404;2026-03-10;1;20"])
    run = upload(acme, bob, content, kind="returns", name="returns.csv")
    assert _errors(run) == {(2, "order", "unknown_order")}
    assert Return.objects.for_org(acme).count() == 0


def test_the_report_reads_in_french(acme, bob):
    from django.utils import translation

    run = upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax", "A-1;2026-13-45;10"]))
    with translation.override("fr"):
        assert row_message(run.errors[0]) == "n’est pas une date (écrivez 31/03/2026 ou 2026-03-31)"
