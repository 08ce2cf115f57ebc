"""Key-result values are written as the KPI pages write them, in the reader's language."""

from decimal import Decimal

from django.utils import translation

from objectives.templatetags.objectives_extras import unit_value


def test_an_amount_reads_the_english_way_in_english():
    with translation.override("en"):
        assert unit_value(Decimal("500000"), "eur") == "€500,000"


def test_an_amount_reads_the_french_way_in_french():
    with translation.override("fr"):
        assert unit_value(Decimal("500000"), "eur") == "500\u202f000\xa0€"


def test_a_percentage_in_french():
    with translation.override("fr"):
        assert unit_value(Decimal("42.5"), "percent") == "42,5\xa0%"
