"""A CSV saved by French Excel (Windows-1252, semicolons, decimal comma, day-first dates) reads as meant."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from integrations.models import Order
from tests.imports.helpers import ORDERS_HEADER_FR, confirm, csv_bytes, upload


def test_windows_1252_semicolons_decimal_comma_and_french_dates(acme, bob):
    content = csv_bytes([
        ORDERS_HEADER_FR,
        "CMD-1;02/03/2026 14:05;03/03/2026 09:30;06/03/2026;05/03/2026;2;1 234,56;boutique éphémère",
        "CMD-2;31/03/2026;;;;1;99,90;web",
    ], encoding="cp1252")
    run = upload(acme, bob, content)
    assert run.state == "ready", run.errors or run.refusal
    assert run.file_format == "csv cp1252 ';'"
    run = confirm(run, bob)
    assert run.state == "done"
    first = Order.objects.for_org(acme).get(number="CMD-1")
    assert first.amount_excl_tax == Decimal("1234.56")
    assert first.units == 2
    assert first.channel == "boutique éphémère"
    assert first.promised_on == date(2026, 3, 6) and first.delivered_on == date(2026, 3, 5)
    placed = timezone.localtime(first.placed_at)  # the organization's time zone (Paris)
    assert placed.date() == date(2026, 3, 2) and placed.hour == 14
    assert first.source == "upload"
    assert timezone.localtime(Order.objects.for_org(acme).get(number="CMD-2").placed_at).date() == date(2026, 3, 31)


def test_utf8_with_bom_commas_decimal_point_and_iso_dates(acme, bob):
    content = csv_bytes([
        "number,placed_at,shipped_at,amount_excl_tax,channel",
        "A-1,2026-03-02T10:00:00,2026-03-02 16:30,1234.56,Marché",
        'A-2,2026-03-03,,"2,500.00",web',
    ], bom=True)
    run = upload(acme, bob, content)
    assert run.state == "ready", run.errors
    assert run.file_format.startswith("csv utf-8-sig")
    confirm(run, bob)
    assert Order.objects.for_org(acme).get(number="A-1").channel == "Marché"
    assert Order.objects.for_org(acme).get(number="A-2").amount_excl_tax == Decimal("2500.00")


def test_an_xlsx_workbook_with_real_dates_and_numbers(acme, bob):
    from datetime import datetime

    from tests.imports.helpers import xlsx_bytes

    content = xlsx_bytes([["Order number", "Placed at", "Amount excl. VAT", "Units"],
                          ["X-1", datetime(2026, 2, 27, 8, 15), 49.9, 3]])
    run = upload(acme, bob, content, name="orders.xlsx")
    assert run.state == "ready", run.errors or run.refusal
    confirm(run, bob)
    order = Order.objects.for_org(acme).get(number="X-1")
    assert order.amount_excl_tax == Decimal("49.90") and order.units == 3
