"""Cells read as French and international spreadsheets write them; anything else is a clear error code."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, strategies as st

from imports.values import CellError, parse_date, parse_datetime, parse_decimal


@pytest.mark.parametrize("text, expected", [
    ("1234.56", "1234.56"), ("1 234,56", "1234.56"), ("1\u202f234,56", "1234.56"), ("1.234,56", "1234.56"),
    ("1,234.56", "1234.56"), ("-12,5", "-12.5"), ("(12,50)", "-12.50"), ("12 €", "12"), ("0", "0"),
])
def test_numbers_with_comma_or_point_and_grouping(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["dix", "1,2,3", "12..5", "9" * 40, "", "1e5", "NaN", "inf"])
def test_what_is_not_a_plain_number_is_refused(text):
    with pytest.raises(CellError):
        parse_decimal(text)


@pytest.mark.parametrize("text, expected", [
    ("2026-03-31", date(2026, 3, 31)), ("31/03/2026", date(2026, 3, 31)), ("31-03-2026", date(2026, 3, 31)),
    ("31.03.2026", date(2026, 3, 31)), ("1/3/26", date(2026, 3, 1)), ("03/04/2026", date(2026, 4, 3)),
])
def test_dates_are_iso_or_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, code", [("31/02/2026", "bad_date"), ("2026-13-01", "bad_date"),
                                        ("12/03/9999", "date_out_of_range"), ("March 3rd", "bad_date"),
                                        ("31/03/2026 garbage", "bad_date")])
def test_impossible_dates_say_why(text, code):
    with pytest.raises(CellError) as caught:
        parse_date(text)
    assert caught.value.code == code


def test_times_are_the_organizations_local_time_unless_an_offset_is_given():
    local = timezone.localtime(parse_datetime("02/03/2026 14:05"))
    assert (local.date(), local.hour, local.minute) == (date(2026, 3, 2), 14, 5)
    assert parse_datetime("2026-03-02T14:05:00+00:00").utcoffset().total_seconds() == 0
    assert timezone.localtime(parse_datetime("2026-03-02")).hour == 0
    with pytest.raises(CellError):
        parse_datetime("02/03/2026 25:00")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_written_either_way_reads_back(day):
    assert parse_date(day.isoformat()) == day == parse_date(f"{day:%d/%m/%Y}")


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False))
def test_every_amount_written_the_french_way_reads_back(amount):
    assert parse_decimal(f"{amount:.2f}".replace(".", ",")) == amount
