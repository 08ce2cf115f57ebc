"""BFR (working capital requirement) = stocks + customer receivables − supplier payables, at period end."""

from datetime import date
from decimal import Decimal as D

from tests.kpis.engine.conftest import value
from tests.kpis.engine.records import ledger


def test_bfr_is_stocks_plus_receivables_minus_payables(catalogue, value_of):
    ledger(catalogue, "411000", date(2026, 3, 5), debit=1200)  # a sale, unpaid
    ledger(catalogue, "706000", date(2026, 3, 5), credit=1200)
    ledger(catalogue, "401000", date(2026, 3, 8), credit=600)  # a purchase, unpaid
    ledger(catalogue, "607000", date(2026, 3, 8), debit=600)
    ledger(catalogue, "370000", date(2026, 3, 31), debit=300)  # stock counted at month end
    ledger(catalogue, "603700", date(2026, 3, 31), credit=300)
    ledger(catalogue, "409000", date(2026, 3, 9), debit=50)  # an advance to a supplier is not a payable
    ledger(catalogue, "512000", date(2026, 3, 9), credit=50)
    # April: the customer pays; the receivable leaves the BFR.
    ledger(catalogue, "512000", date(2026, 4, 2), debit=1200)
    ledger(catalogue, "411000", date(2026, 4, 2), credit=1200)
    assert value(catalogue, value_of, "working_capital", date(2026, 3, 1)) == D("900")
    assert value(catalogue, value_of, "working_capital", date(2026, 4, 1)) == D("-300")
