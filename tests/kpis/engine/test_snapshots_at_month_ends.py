"""Records open at each month end (receivables, their ageing buckets, MRR): the figures of every month, quarter and
year, written by hand from the invoices, payments and subscriptions below."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.engine.metrics import TOTAL, compute_metrics
from kpis.models import Metric
from kpis.periods import GRAINS, periods_between
from kpis.services import catalogue_install
from tests.kpis.engine.records import customer, invoice, payment, subscription

MONTHS = [date(2026, m, 1) for m in range(1, 7)]


@pytest.fixture
def books(acme):
    """Invoices incl. VAT (issued, due, paid) and payments of 2026:

    A 1,200  10 Jan, due 10 Feb, paid 15 Apr; 200 paid on 20 Feb
    B   600   5 Feb, due  5 Mar, never paid (in USD)
    C   300  31 Mar, due 31 Mar, paid the day it was issued: open at no month end
    D    90   3 May, "paid" 1 Feb (before it was issued: bad data): open at no month end
    E   120  15 Feb, due  1 Mar, never paid: 30 days late exactly on 31 Mar, 91 days on 31 May
    F    60   5 Jan, due 31 Jan, paid 10 Feb: open on 31 Jan but not yet late
    G   100  20 Jan, no due date, never marked paid, settled by a 100 payment on 3 Feb (in GBP)
    """
    catalogue_install(acme)
    a = invoice(acme, date(2026, 1, 10), excl=1000, incl=1200, due=date(2026, 2, 10), paid=date(2026, 4, 15))
    payment(acme, a, date(2026, 2, 20), 200)
    invoice(acme, date(2026, 2, 5), excl=500, incl=600, due=date(2026, 3, 5), currency="USD")
    invoice(acme, date(2026, 3, 31), excl=250, incl=300, due=date(2026, 3, 31), paid=date(2026, 3, 31))
    invoice(acme, date(2026, 5, 3), excl=75, incl=90, due=date(2026, 6, 3), paid=date(2026, 2, 1))
    invoice(acme, date(2026, 2, 15), excl=100, incl=120, due=date(2026, 3, 1))
    invoice(acme, date(2026, 1, 5), excl=50, incl=60, due=date(2026, 1, 31), paid=date(2026, 2, 10))
    g = invoice(acme, date(2026, 1, 20), excl=D("83.33"), incl=100, currency="GBP")
    payment(acme, g, date(2026, 2, 3), 100)
    # Subscriptions: 100 a month from 15 Jan to 10 Apr, 50 from 1 Mar on.
    subscription(acme, customer(acme), mrr=100, start=date(2026, 1, 15), end=date(2026, 4, 10))
    subscription(acme, customer(acme), mrr=50, start=date(2026, 3, 1))
    Metric.objects.create(
        organization=acme, slug="open_by_currency", name="Open receivables by currency", record_type="invoice",
        aggregation="snapshot_sum", value="amount_incl_tax", date_field="issue_date", end_field="paid_date",
        dimension_field="currency", options={"less_payments": True},
        filters={"where": {"kind": "customer", "is_credit_note": False, "is_void": False}})
    return acme


def _computed(org, slugs):
    periods = {g: periods_between(date(2026, 1, 1), date(2026, 6, 30), g, 1) for g in GRAINS}
    return compute_metrics(org, metrics=list(Metric.objects.for_org(org).filter(slug__in=slugs)),
                           periods_by_grain=periods)


def _totals(out, slug):
    return {
        "months": [out[(slug, "month", m)][TOTAL] for m in MONTHS],
        "quarters": [out[(slug, "quarter", q)][TOTAL] for q in (date(2026, 1, 1), date(2026, 4, 1))],
        "year": out[(slug, "year", date(2026, 1, 1))][TOTAL],
    }


def test_open_receivables_are_the_invoices_open_at_each_month_end_less_their_payments(books):
    out = _computed(books, ["open_receivables"])
    assert _totals(out, "open_receivables") == {
        # Jan: A 1,200 + F 60 + G 100; Feb: A 1,000 (200 paid) + B 600 + E 120 + G 0; Apr: A paid, B + E
        "months": [D(1360), D(1720), D(1720), D(720), D(720), D(720)],
        "quarters": [D(1720), D(720)],
        "year": D(720),  # 31 December: B and E still open
    }


def test_ageing_buckets_count_the_days_past_due_at_each_month_end(books):
    out = _computed(books, ["late_amount_0_30", "late_amount_31_60", "late_amount_61_90", "late_amount_over_90",
                            "late_invoices"])
    months = {slug: _totals(out, slug)["months"] for slug in
              ("late_amount_0_30", "late_amount_31_60", "late_amount_61_90", "late_amount_over_90", "late_invoices")}
    assert months == {
        # Feb: A 18 days late (1,000 after its payment); Mar: B 26 days, E 30 days (its last day in the bucket)
        "late_amount_0_30": [D(0), D(1000), D(720), D(0), D(0), D(0)],
        # Mar: A 49 days; Apr: B 56 days, E 60 days
        "late_amount_31_60": [D(0), D(0), D(1000), D(720), D(0), D(0)],
        # May: B 87 days; E is 91 days late on 31 May, past the bucket
        "late_amount_61_90": [D(0), D(0), D(0), D(0), D(600), D(0)],
        "late_amount_over_90": [D(0), D(0), D(0), D(0), D(120), D(720)],
        # A in Feb and Mar; B and E from March; F was due on 31 Jan, not late that day, paid by February's end
        "late_invoices": [D(0), D(1), D(3), D(2), D(2), D(2)],
    }
    assert _totals(out, "late_amount_31_60")["quarters"] == [D(1000), D(0)]
    assert _totals(out, "late_amount_over_90")["year"] == D(720)


def test_a_breakdown_shows_the_values_with_a_record_open_at_the_month_end(books):
    out = _computed(books, ["open_by_currency"])
    cells = [out[("open_by_currency", "month", m)] for m in MONTHS]
    assert cells == [
        {TOTAL: D(1360), "EUR": D(1260), "GBP": D(100)},  # no USD invoice was open yet
        {TOTAL: D(1720), "EUR": D(1120), "USD": D(600), "GBP": D(0)},  # G still open, settled by its payment
        {TOTAL: D(1720), "EUR": D(1120), "USD": D(600), "GBP": D(0)},
        {TOTAL: D(720), "EUR": D(120), "USD": D(600), "GBP": D(0)},
        {TOTAL: D(720), "EUR": D(120), "USD": D(600), "GBP": D(0)},
        {TOTAL: D(720), "EUR": D(120), "USD": D(600), "GBP": D(0)},
    ]
    assert out[("open_by_currency", "quarter", date(2026, 1, 1))] == cells[2]


def test_mrr_at_the_start_is_the_mrr_of_the_month_before(books):
    out = _computed(books, ["mrr_start", "mrr_end"])
    assert _totals(out, "mrr_end") == {"months": [D(100), D(100), D(150), D(50), D(50), D(50)],
                                       "quarters": [D(150), D(50)], "year": D(50)}
    assert _totals(out, "mrr_start") == {"months": [D(0), D(100), D(100), D(150), D(50), D(50)],
                                         "quarters": [D(0), D(150)], "year": D(0)}
