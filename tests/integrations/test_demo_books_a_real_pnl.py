"""The demo's ledger books a real P&L (depreciation, financial charges, exceptional items, corporate tax), so
EBE, operating, current and net result differ; the ledger balances; receivables age plausibly."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from integrations.fakes.scenario import COMPANIES, build_book

TODAY = date(2026, 11, 15)


def _by_account(book) -> dict[str, Decimal]:
    """Debit − credit per account over the whole history."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    numbers = {a["id"]: a["number"] for a in book.objects["ledger_accounts"].values()}
    for line in book.objects["ledger_entry_lines"].values():
        totals[numbers[line["ledger_account"]["id"]]] += Decimal(line["debit"]) - Decimal(line["credit"])
    return totals


def _charge(t, *prefixes) -> Decimal:
    return sum((v for k, v in t.items() if k.startswith(prefixes)), Decimal(0))


@pytest.mark.parametrize("key", list(COMPANIES))
def test_ebe_operating_current_and_net_result_differ(key):
    t = _by_account(build_book(key, seed=42, today=TODAY))
    income = -_charge(t, "70", "71", "72", "74")
    ebe = income - _charge(t, "60", "61", "62", "63", "64")
    operating = ebe - _charge(t, "65", "681") - _charge(t, "75", "781", "791")
    current = operating - _charge(t, "66") - _charge(t, "76")
    net = current - _charge(t, "67") - _charge(t, "77") - _charge(t, "691", "695")
    assert len({ebe, operating, current, net}) == 4
    assert _charge(t, "681") > 0 and _charge(t, "66", "76") != 0
    assert _charge(t, "67") != 0 or _charge(t, "77") != 0


@pytest.mark.parametrize("key", list(COMPANIES))
def test_corporate_tax_is_a_quarter_of_each_fiscal_years_profit_at_most(key):
    book = build_book(key, seed=42, today=TODAY)
    numbers = {a["id"]: a["number"] for a in book.objects["ledger_accounts"].values()}
    years = [(y["start"], y["finish"]) for y in book.objects["fiscal_years"].values()]
    before_tax: dict[str, Decimal] = defaultdict(Decimal)
    tax: dict[str, Decimal] = defaultdict(Decimal)
    for line in book.objects["ledger_entry_lines"].values():
        number = numbers[line["ledger_account"]["id"]]
        year = next(start for start, finish in years if start <= line["date"] <= finish)
        amount = Decimal(line["credit"]) - Decimal(line["debit"])
        if number.startswith("695"):
            tax[year] -= amount
        elif number[0] in "67":
            before_tax[year] += amount
    for year, profit in before_tax.items():
        assert 0 <= tax[year] <= max(Decimal(0), profit) * Decimal("0.25") + 1, year


def test_profitable_companies_pay_corporate_tax():
    for key in ("lumen", "boisfin"):
        assert _charge(_by_account(build_book(key, seed=42, today=TODAY)), "695") > 0


@pytest.mark.parametrize("key", list(COMPANIES))
def test_every_entry_balances(key):
    book = build_book(key, seed=42, today=TODAY)
    by_entry: dict[int, Decimal] = defaultdict(Decimal)
    for line in book.objects["ledger_entry_lines"].values():
        by_entry[line["ledger_entry"]["id"]] += Decimal(line["debit"]) - Decimal(line["credit"])
    assert all(total == 0 for total in by_entry.values())


@pytest.mark.parametrize("key", list(COMPANIES))
def test_receivables_age_plausibly(key):
    book = build_book(key, seed=42, today=TODAY)
    invoices = [o for o in book.objects["customer_invoices"].values()
                if o.get("status") not in ("credit_note", "paid") and "," not in o["amount"]]
    unpaid = sum((Decimal(o["amount"]) for o in invoices), Decimal(0))
    over_90 = sum((Decimal(o["amount"]) for o in invoices
                   if o["deadline"] < (TODAY - timedelta(days=90)).isoformat()), Decimal(0))
    issued_last_year = sum((Decimal(o["amount"]) for o in book.objects["customer_invoices"].values()
                            if o.get("status") != "credit_note" and "," not in o["amount"]
                            and o["date"] >= (TODAY - timedelta(days=365)).isoformat()), Decimal(0))
    # Some invoices are overdue, yet nothing like years of unpaid sales: at most a few weeks of sales
    # wait, and the debts over 90 days past due stay a minority of them.
    assert unpaid > 0
    assert unpaid < issued_last_year / 6
    assert over_90 < unpaid / 2
