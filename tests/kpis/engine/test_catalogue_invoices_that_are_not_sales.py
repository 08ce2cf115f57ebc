"""Drafts, cancelled and archived invoices are not sales; payments and credit notes settle invoices.

Each KPI that reads invoices is checked with a draft, a cancelled invoice (and the credit note that
cancels it) and a credit-noted invoice, on a company without a ledger (figures from the invoices)."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.engine.metrics import compute_metrics
from kpis.models import Metric
from kpis.periods import Period
from tests.kpis.engine.records import invoice, payment

MAR, END = date(2026, 3, 10), date(2026, 3, 31)


@pytest.fixture
def book(catalogue):
    """Sales in March: 1 000 excl. (1 200 incl.) due 31 Jan… see each test for what counts."""
    org = catalogue
    # a real sale, due 15 March, 1 200 incl.; a credit note of 240 incl. on it on 20 March, 360 paid on 25 March
    sale = invoice(org, MAR, excl=1000, incl=1200, due=date(2026, 3, 15), status="late")
    note = invoice(org, date(2026, 3, 20), excl=-200, incl=-240, credit_note=True, status="credit_note")
    payment(org, sale, date(2026, 3, 20), 240, kind="credit_note")
    payment(org, sale, date(2026, 3, 25), 360)
    # not sales: a draft due 1 March, a cancelled invoice and the credit note that cancels it, an archived one
    invoice(org, date(2026, 2, 1), excl=5000, incl=6000, due=date(2026, 3, 1), status="draft", is_void=True)
    invoice(org, MAR, excl=3000, incl=3600, due=date(2026, 3, 12), status="cancelled", is_void=True)
    invoice(org, MAR, excl=-3000, incl=-3600, credit_note=True, status="credit_note", is_void=True)
    invoice(org, MAR, excl=700, incl=840, due=date(2026, 3, 2), status="archived", is_void=True)
    return org, sale, note


def test_revenue_counts_the_sale_less_its_credit_note_and_nothing_void(book, value_of):
    org, _sale, _note = book
    # 1 000 − 200
    assert value_of(org, "revenue", MAR).value == D("800")


def test_dso_reads_what_is_still_due_over_real_sales(book, value_of):
    org, _sale, _note = book
    # still due 31 March: 1 200 − 240 − 360 = 600; sales incl. VAT 1 200 − 240 = 960; × 31 days
    assert value_of(org, "dso", MAR).value.quantize(D("0.0001")) == (D(600) / D(960) * 31).quantize(D("0.0001"))


def test_late_payments_count_the_sale_for_what_is_left_and_nothing_void(book, value_of):
    org, _sale, _note = book
    assert value_of(org, "late_invoices_count", END).value == D("1")
    assert value_of(org, "late_invoices_amount", END).value == D("600")
    assert value_of(org, "late_0_30", END).value == D("600")
    assert value_of(org, "late_over_90", END).value == D("0")


def test_a_receivable_on_a_day_inside_a_month_takes_off_only_the_payments_made_by_then(book):
    org, _sale, _note = book
    metric = Metric.objects.for_org(org).get(slug="open_receivables")
    # 22 March (not a month end: the per-day path): the credit note of the 20th is applied, the 25th's payment not yet
    day = Period(start=date(2026, 3, 22), end=date(2026, 3, 22), grain="day")
    results = compute_metrics(org, metrics=[metric], periods_by_grain={"day": [day]})
    assert results[("open_receivables", "day", day.start)][""] == D("960")
