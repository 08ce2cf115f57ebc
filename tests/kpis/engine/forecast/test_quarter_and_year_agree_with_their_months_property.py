"""Property: for an additive KPI, the quarter's and the fiscal year's forecasts are exactly their closed
months' actuals plus each open month's forecast, whatever the records and the day."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.models import Invoice, LedgerLine
from kpis.models import KpiForecast, KpiValue
from kpis.periods import period_containing, periods_between
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import invoice, ledger

FIRST = date(2024, 10, 1)
ACCOUNTS = ["706000", "707000", "709000", "607000", "641000", "635000", "740000"]
ADDITIVE = ["revenue", "commercial_margin", "value_added", "ebe"]

days = st.integers(min_value=0, max_value=640).map(lambda n: FIRST + timedelta(days=n))
lines = st.lists(st.tuples(st.sampled_from(ACCOUNTS), days, st.integers(min_value=-500, max_value=5000)),
                 min_size=1, max_size=10)
invoices = st.lists(st.tuples(days, st.integers(min_value=-300, max_value=3000)), max_size=4)
todays = st.integers(min_value=0, max_value=364).map(lambda n: date(2026, 1, 1) + timedelta(days=n))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(booked=lines, billed=invoices, today=todays)
def test_a_quarter_forecast_is_its_months(catalogue, booked, billed, today):
    for model in (LedgerLine, Invoice, KpiValue, KpiForecast):  # a fresh tenant for each example
        model.objects.for_org(catalogue).delete()
    for account, day, amount in booked:
        ledger(catalogue, account, day, debit=max(amount, 0), credit=max(-amount, 0))
    for day, amount in billed:
        invoice(catalogue, day, excl=amount)
    kpi_values_recompute(org=catalogue, today=today)
    month = period_containing(today)
    actuals = {(v.kpi.slug, v.period_start): v.value for v in KpiValue.objects.for_org(catalogue).filter(
        grain="month", dimension_value="", kpi__slug__in=ADDITIVE).select_related("kpi")}
    forecasts = {(f.kpi.slug, f.grain, f.period_start): f for f in KpiForecast.objects.for_org(catalogue)
                 .filter(kpi__slug__in=ADDITIVE).select_related("kpi")}
    for slug in ADDITIVE:
        for grain in ("quarter", "year"):
            p = period_containing(today, grain)
            whole = forecasts[(slug, grain, p.start)]
            parts = [actuals.get((slug, m.start)) if m.end < month.start else forecasts[(slug, "month", m.start)].value
                     for m in periods_between(p.start, p.end)]
            if any(v is None for v in parts):  # a month without data (before the first record): no forecast
                assert (whole.method, whole.value) == ("no_forecast", None)
            else:
                assert whole.method == "sum_of_months"
                assert whole.value == sum(parts), (slug, grain, today)
