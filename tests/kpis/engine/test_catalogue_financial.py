"""The financial KPIs of the catalogue on small hand-built ledgers, the arithmetic written out."""

from datetime import date
from decimal import Decimal as D

from kpis.services import catalogue_install
from tests.factories import make_org
from tests.kpis.engine.records import bank, customer, invoice, ledger

JAN, FEB, MAR = date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)


def test_revenue_is_class_70_net_of_rebates(catalogue, value_of):
    ledger(catalogue, "706000", MAR, credit=1000)
    ledger(catalogue, "707000", MAR, credit=500)
    ledger(catalogue, "709000", MAR, debit=100)  # rebate granted
    # 1,000 + 500 − 100 = 1,400
    assert value_of(catalogue, "revenue", MAR).value == D("1400")


def test_revenue_falls_back_to_invoices_with_credit_notes_negative_when_there_is_no_ledger(
    catalogue, value_of
):
    invoice(catalogue, MAR, excl=1000)
    invoice(catalogue, MAR, excl=-200, credit_note=True)
    # an invoice in US dollars counts at its EUR amount, converted by the provider's rate
    invoice(catalogue, MAR, excl="460.50", currency="USD", exchange_rate=D("0.921"))
    invoice(catalogue, MAR, excl=999, kind="supplier")  # not revenue
    # 1,000 − 200 + 460.50 = 1,260.50
    assert value_of(catalogue, "revenue", MAR).value == D("1260.50")


def test_production_adds_stored_and_capitalised_production(catalogue, value_of):
    ledger(catalogue, "706000", MAR, credit=200)  # production sold
    ledger(catalogue, "707000", MAR, credit=999)  # goods: not production
    ledger(catalogue, "713500", MAR, credit=30)  # stored production
    ledger(catalogue, "721000", MAR, credit=20)  # capitalised production
    # 200 + 30 + 20 = 250
    assert value_of(catalogue, "production", MAR).value == D("250")


def test_gross_margin_pct(catalogue, value_of):
    ledger(catalogue, "707000", MAR, credit=1000)
    ledger(catalogue, "607000", MAR, debit=600)
    ledger(catalogue, "603700", MAR, debit=50)
    # (1,000 − (600 + 50)) ÷ 1,000 × 100 = 35 %
    assert value_of(catalogue, "gross_margin_pct", MAR).value == D("35")


def test_gross_margin_of_a_month_without_sales_has_no_value_rather_than_a_crash(catalogue, value_of):
    ledger(catalogue, "607000", MAR, debit=600)
    v = value_of(catalogue, "gross_margin_pct", MAR)
    assert v.value is None
    assert "division by zero" in v.no_value_reason


def test_net_cash_is_the_512_balance_at_period_end(catalogue, value_of):
    ledger(catalogue, "512000", date(2025, 12, 20), debit=5000)
    ledger(catalogue, "512000", JAN, credit=300)
    ledger(catalogue, "512100", FEB, debit=100)  # a second bank account
    assert value_of(catalogue, "net_cash", JAN).value == D("4700")  # 5,000 − 300
    assert value_of(catalogue, "net_cash", FEB).value == D("4800")  # + 100
    # the quarter's value is the stock at its end (March: no movement), not a sum of months
    assert value_of(catalogue, "net_cash", MAR, grain="quarter").value == D("4800")


def test_burn_is_the_three_month_average_and_runway_divides_cash_by_it(catalogue, value_of):
    ledger(catalogue, "512000", date(2025, 12, 1), debit=5000)
    ledger(catalogue, "512000", JAN, debit=1000)  # receipts
    ledger(catalogue, "512000", JAN, credit=400)  # payments
    ledger(catalogue, "512000", FEB, credit=900)
    ledger(catalogue, "512000", MAR, credit=600)
    ledger(catalogue, "512000", MAR, debit=300)
    # March window Jan–Mar: (400 − 1,000) + 900 + (600 − 300) = 600 → 600 ÷ 3 = 200 a month
    assert value_of(catalogue, "cash_burn", MAR).value == D("200")
    # cash at end of March: 5,000 + 1,000 − 400 − 900 − 600 + 300 = 4,400 → 4,400 ÷ 200 = 22 months
    assert value_of(catalogue, "runway_months", MAR).value == D("22")


def test_runway_has_no_value_while_cash_comes_in(catalogue, value_of):
    ledger(catalogue, "512000", JAN, debit=1000)
    runway = value_of(catalogue, "runway_months", JAN)
    assert runway.value is None
    assert "division by zero" in runway.no_value_reason


def test_dso_from_receivables_and_sales_incl_vat(catalogue, value_of):
    invoice(catalogue, JAN, excl=1000, incl=1200)
    ledger(catalogue, "411000", JAN, debit=1200)  # the invoice booked
    ledger(catalogue, "411000", date(2026, 1, 25), credit=600)  # half paid
    # 600 ÷ 1,200 × 31 days = 15.5 days
    assert value_of(catalogue, "dso", JAN).value == D("15.5")


def test_late_payments_and_ageing_buckets_at_period_end(catalogue, value_of):
    end_of_march = date(2026, 3, 31)
    invoice(catalogue, date(2026, 2, 13), excl=1000, incl=1200, due=date(2026, 3, 15))  # 16 days late
    invoice(
        catalogue, date(2026, 1, 11), excl=500, incl=600, due=date(2026, 2, 10), paid=date(2026, 4, 5)
    )  # 49 days late on 31 March
    invoice(catalogue, date(2025, 11, 20), excl=200, incl=240, due=date(2025, 12, 20))  # 101 days late
    invoice(catalogue, date(2026, 3, 1), excl=100, incl=120, due=end_of_march)  # due today: not late
    invoice(catalogue, date(2025, 12, 15), excl=100, incl=120, due=date(2026, 1, 15), paid=date(2026, 3, 20))
    invoice(catalogue, date(2026, 1, 5), excl=-50, incl=-60, due=date(2026, 2, 5), credit_note=True)
    assert value_of(catalogue, "late_invoices_count", end_of_march).value == D("3")
    # 1,200 + 600 + 240 = 2,040
    assert value_of(catalogue, "late_invoices_amount", end_of_march).value == D("2040")
    assert value_of(catalogue, "late_0_30", end_of_march).value == D("1200")
    assert value_of(catalogue, "late_31_60", end_of_march).value == D("600")
    assert value_of(catalogue, "late_61_90", end_of_march).value == D("0")
    assert value_of(catalogue, "late_over_90", end_of_march).value == D("240")
    # end of April: the 1,200 is 46 days late, the 600 was paid on 5 April, the 120 due 31 March is 30 days late
    assert value_of(catalogue, "late_0_30", date(2026, 4, 30)).value == D("120")
    assert value_of(catalogue, "late_31_60", date(2026, 4, 30)).value == D("1200")


def test_budget_variance_against_the_reference_budget_in_total_and_per_cost_line(catalogue, value_of):
    from tests.budgets.helpers import budget

    ledger(catalogue, "606300", MAR, debit=500)
    ledger(catalogue, "641000", MAR, debit=1000)
    ledger(catalogue, "645000", MAR, debit=200)
    ledger(catalogue, "661000", MAR, debit=99)  # financial charges are not operating charges
    budget(catalogue, date(2026, 3, 1), {"60": 400, "64": 1300})  # the budgets app's lines (budgets/)
    # total: (500 + 1,000 + 200) − (400 + 1,300) = 0
    assert value_of(catalogue, "budget_variance", MAR).value == D("0")
    # purchases (60): 500 − 400 = 100 over, 25 %; personnel (64): 1,200 − 1,300 = 100 under, −7.692308 %
    assert value_of(catalogue, "budget_variance", MAR, dim="60").value == D("100")
    assert value_of(catalogue, "budget_variance_pct", MAR, dim="60").value == D("25")
    assert value_of(catalogue, "budget_variance", MAR, dim="64").value == D("-100")
    assert value_of(catalogue, "budget_variance_pct", MAR, dim="64").value == D("-7.692308")


def test_budget_variance_says_no_data_without_a_budget(catalogue, value_of):
    ledger(catalogue, "606300", MAR, debit=500)
    v = value_of(catalogue, "budget_variance", MAR)
    assert v.value is None
    assert "no data yet" in v.no_value_reason


def test_revenue_by_segment_keeps_a_total_and_one_value_per_segment(catalogue, value_of):
    retail = customer(catalogue, segment="retail")
    wholesale = customer(catalogue, segment="wholesale")
    invoice(catalogue, MAR, excl=1000, customer=retail)
    invoice(catalogue, MAR, excl=-100, customer=retail, credit_note=True)
    invoice(catalogue, MAR, excl=500, customer=wholesale)
    invoice(catalogue, MAR, excl=50)  # no customer: "unspecified"
    assert value_of(catalogue, "revenue_by_segment", MAR).value == D("1450")  # 1,000 − 100 + 500 + 50
    assert value_of(catalogue, "revenue_by_segment", MAR, dim="retail").value == D("900")
    assert value_of(catalogue, "revenue_by_segment", MAR, dim="wholesale").value == D("500")
    assert value_of(catalogue, "revenue_by_segment", MAR, dim="unspecified").value == D("50")


def test_fiscal_year_starting_in_july(db, value_of):
    org = make_org(fiscal_year_start_month=7)
    catalogue_install(org)
    ledger(org, "706000", date(2025, 6, 30), credit=100)  # FY2024/25
    ledger(org, "706000", date(2025, 7, 1), credit=200)  # Q1 of FY2025/26
    ledger(org, "706000", date(2026, 6, 15), credit=300)  # Q4 of FY2025/26
    assert value_of(org, "revenue", date(2025, 7, 1), grain="year").value == D("500")  # 200 + 300
    assert value_of(org, "revenue", date(2025, 7, 1), grain="quarter").value == D("200")
    assert value_of(org, "revenue", date(2025, 6, 1), grain="year").value == D("100")
    assert value_of(org, "revenue", date(2026, 4, 1), grain="quarter").period_end == date(2026, 6, 30)


def test_a_company_without_any_data_shows_no_data_yet(catalogue, value_of):
    v = value_of(catalogue, "revenue", MAR)
    assert v.value is None
    assert "no data yet" in v.no_value_reason


def test_without_a_ledger_cash_and_burn_come_from_the_bank_transactions(catalogue, value_of):
    bank(catalogue, date(2025, 12, 2), 5000)  # receipts are positive
    bank(catalogue, JAN, -400)
    bank(catalogue, FEB, -900)
    assert value_of(catalogue, "net_cash", FEB).value == D("3700")  # 5,000 − 400 − 900
    # burn over Dec–Feb: (−5,000 + 400 + 900) ÷ 3 = −1,233.333333 (cash came in)
    assert value_of(catalogue, "cash_burn", FEB).value == D("-1233.333333")
    # March: window Jan–Mar (400 + 900) ÷ 3 = 433.333333; runway 3,700 ÷ 433.33… = 8.538462 months
    assert value_of(catalogue, "cash_burn", MAR).value == D("433.333333")
    assert value_of(catalogue, "runway_months", MAR).value == D("8.538462")


def test_runway_is_zero_once_cash_is_negative(catalogue, value_of):
    ledger(catalogue, "512000", JAN, credit=3000)  # overdrawn
    # burn Nov–Jan: 3,000 ÷ 3 = 1,000 a month; cash −3,000 → runway max(−3,000, 0) ÷ 1,000 = 0
    assert value_of(catalogue, "runway_months", JAN).value == D("0")
