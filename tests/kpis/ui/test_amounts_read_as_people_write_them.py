"""An amount reads as a person writes it: whole euros on a large amount, cents where they matter, and nothing
owed as a plain zero, in the reader's language."""

from decimal import Decimal

from django.utils import translation

from kpis.presenters import format_kpi_value


def test_nothing_owed_reads_as_a_plain_zero():
    with translation.override("fr"):
        assert format_kpi_value(Decimal("0"), "eur") == "0\xa0€"
    with translation.override("en"):
        assert format_kpi_value(Decimal("0.00"), "eur") == "€0"


def test_a_small_amount_keeps_its_cents():
    with translation.override("fr"):
        assert format_kpi_value(Decimal("12.5"), "eur") == "12,50\xa0€"
        assert format_kpi_value(Decimal("-3.2"), "eur") == "-3,20\xa0€"


def test_a_large_amount_reads_in_whole_euros_unless_asked_for_precision():
    with translation.override("fr"):
        assert format_kpi_value(Decimal("1234.56"), "eur") == "1\u202f235\xa0€"
        assert format_kpi_value(Decimal("1234.56"), "eur", precise=True) == "1\u202f234,56\xa0€"
        assert format_kpi_value(Decimal("0"), "eur", precise=True) == "0,00\xa0€"
