"""PRODUCT.md's worked check of the French management balances (SIG), straight from the PCG ledger."""

from datetime import date
from decimal import Decimal

from tests.kpis.engine.records import ledger

MARCH = date(2026, 3, 10)


def _book_the_worked_example(org):
    ledger(org, "707000", MARCH, credit=1000)  # sales of goods
    ledger(org, "607000", MARCH, debit=600)  # purchases of goods
    ledger(org, "603700", MARCH, debit=50)  # stock change of goods: a decrease, charged
    ledger(org, "706000", MARCH, credit=200)  # production sold (services)
    ledger(org, "601000", MARCH, debit=60)  # raw materials
    ledger(org, "622600", MARCH, debit=40)  # other external charges
    ledger(org, "635100", MARCH, debit=30)  # taxes
    ledger(org, "641000", MARCH, debit=200)  # wages
    ledger(org, "645000", MARCH, debit=80)  # social charges
    ledger(org, "681100", MARCH, debit=20)  # depreciation
    ledger(org, "661100", MARCH, debit=20)  # financial charges (interest)
    ledger(org, "671000", MARCH, debit=5)  # exceptional charges
    ledger(org, "695000", MARCH, debit=40)  # corporate tax


def test_worked_check_gives_the_product_reference_figures(catalogue, value_of):
    _book_the_worked_example(catalogue)
    # 1,000 − 600 − 50 = 350
    assert value_of(catalogue, "commercial_margin", MARCH).value == Decimal("350")
    # 350 + 200 − 60 − 40 = 450
    assert value_of(catalogue, "value_added", MARCH).value == Decimal("450")
    # 450 − 30 − 200 − 80 = 140
    assert value_of(catalogue, "ebe", MARCH).value == Decimal("140")
    # 140 − 20 (depreciation) = 120; 120 − 20 (financial charges) = 100
    assert value_of(catalogue, "operating_result", MARCH).value == Decimal("120")
    assert value_of(catalogue, "current_result", MARCH).value == Decimal("100")
    # 100 − 5 − 40 = 55
    assert value_of(catalogue, "net_result", MARCH).value == Decimal("55")


def test_worked_check_lands_in_its_quarter_and_year_too(catalogue, value_of):
    _book_the_worked_example(catalogue)
    assert value_of(catalogue, "net_result", MARCH, grain="quarter").value == Decimal("55")
    assert value_of(catalogue, "net_result", MARCH, grain="year").value == Decimal("55")
    # April has ledger data coverage but no entries: a real zero, not "no value".
    assert value_of(catalogue, "net_result", date(2026, 4, 1)).value == Decimal("0")


def test_months_before_the_first_ledger_line_have_no_value(catalogue, value_of):
    _book_the_worked_example(catalogue)
    before = value_of(catalogue, "net_result", date(2026, 1, 5))
    assert before.value is None
    assert "before 2026-03-10" in before.no_value_reason
