"""Cell values as French and international spreadsheets write them: never floats, never guesses.

Each parser takes the cell as read (a string from a CSV; a string, number, date or datetime from
an .xlsx) and returns the typed value or raises `CellError` with a code the report translates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone


class CellError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


_SPACES = re.compile(r"[\s\u00a0\u202f']")  # 1 234,56 · 1 234,56 (no-break spaces) · 1'234.56
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                     "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value) -> Decimal:
    """`1234.56`, `1 234,56`, `1.234,56`, `-12,5`, `(12,50)`; an Excel number keeps its digits."""
    if isinstance(value, bool):
        raise CellError("bad_number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text of the float, not its binary expansion
    text = _SPACES.sub("", str(value)).replace("€", "").replace("EUR", "")
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if "," in text and "." in text:  # the last separator is the decimal one: 1.234,56 or 1,234.56
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d{1,15}(\.\d{1,6})?", text):
        raise CellError("bad_number")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only decimals
        raise CellError("bad_number") from exc
    return -number if negative else number


def parse_int(value) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError("bad_integer")
    return int(number)


def parse_date(value) -> date:
    """ISO `2026-03-31`, French `31/03/2026` (day first, never US month first), or an Excel date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return _in_range(parsed)
    raise CellError("bad_date")


def parse_datetime(value) -> datetime:
    """A date and time in the organization's time zone (or with its own offset); a date alone is midnight."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = str(value).strip()
        parsed = None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATETIME_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            parsed = datetime.combine(parse_date(text), time())
    _in_range(parsed.date())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_text(value, *, max_length: int = 255) -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) > max_length:
        raise CellError("too_long", max=max_length)
    return text


def _in_range(day: date) -> date:
    first, last = settings.IMPORTS_YEAR_RANGE
    if not first <= day.year <= last:
        raise CellError("date_out_of_range", first=first, last=last)
    return day
