"""`make demo` on any day: the books hold what has happened, never a bill or an entry dated after today (a CFO
reading December's purchases on 3 December would see bills that have not arrived)."""

from datetime import date
from types import SimpleNamespace

import pytest

from accounts.models import Organization
from integrations.fakes.scenario import COMPANIES, build_book


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2026, 11, 30)])
@pytest.mark.parametrize("key", sorted(COMPANIES))
def test_a_pennylane_demo_book_holds_nothing_dated_after_today(key, today):
    book = build_book(key, seed=42, today=today)
    future = [(resource, obj.get("date")) for resource, objects in book.objects.items() for obj in objects.values()
              if obj.get("date") and obj["date"] > today.isoformat()]
    assert future == []
    assert book.objects["supplier_invoices"], "the book still holds its supplier invoices"


def test_the_subsidiarys_ledger_holds_no_entry_after_today():
    from portfolio.demo import _ledger

    today = date(2026, 12, 3)
    lines = _ledger(Organization(slug="bfd"), SimpleNamespace(today=today, seed=42))
    assert lines and max(line.date for line in lines) <= today
    assert any(line.date.month == 11 and line.date.year == 2026 for line in lines)
