"""Property: whatever records a sync adds, an incremental recompute leaves exactly what a full one computes."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.models import Invoice, LedgerLine
from kpis.models import KpiLedgerMonth, KpiValue
from kpis.services import kpi_values_recompute
from tests.kpis.engine.records import invoice, ledger

TODAY = date(2026, 6, 15)
FIRST = date(2025, 1, 1)
ACCOUNTS = ["706000", "707000", "709000", "607000", "603700", "641000", "512000", "411000", "661000"]

days = st.integers(min_value=0, max_value=(TODAY - FIRST).days).map(lambda n: FIRST + timedelta(days=n))
lines = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), days, st.integers(min_value=-500, max_value=5000)),
    min_size=1,
    max_size=6,
)
invoices = st.lists(st.tuples(days, st.integers(min_value=-300, max_value=3000), st.booleans()), max_size=3)


def _snapshot(org):
    return {
        (v.kpi_id, v.grain, v.period_start, v.dimension_value): (v.value, v.no_value_reason, v.inputs)
        for v in KpiValue.objects.for_org(org)
    }


def _book(org, new_lines, new_invoices) -> dict:
    changes: dict[str, set] = {"ledgerline": set(), "invoice": set()}
    for account, day, amount in new_lines:
        ledger(org, account, day, debit=max(amount, 0), credit=max(-amount, 0))
        changes["ledgerline"].add(day)
    for day, amount, paid in new_invoices:
        invoice(
            org,
            day,
            excl=amount,
            due=day + timedelta(days=30),
            paid=day + timedelta(days=45) if paid else None,
        )
        changes["invoice"].add(day)
    return changes


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=lines, after=lines, new_invoices=invoices)
def test_incremental_recompute_matches_a_full_one(catalogue, before, after, new_invoices):
    for model in (LedgerLine, Invoice, KpiValue, KpiLedgerMonth):  # a fresh tenant for each example
        model.objects.for_org(catalogue).delete()
    _book(catalogue, before, [])
    kpi_values_recompute(org=catalogue, today=TODAY)
    changes = _book(catalogue, after, new_invoices)
    kpi_values_recompute(org=catalogue, today=TODAY, changes=changes)
    incremental = _snapshot(catalogue)
    kpi_values_recompute(org=catalogue, today=TODAY)
    assert _snapshot(catalogue) == incremental
