"""Done when: DSO and late payments are right on an account with drafts, cancelled invoices, partial
payments, a credit note and a late-synced payment (books.py has the table the figures come from).

The ledger scopes are withheld, so the figures come from the invoices (a company with no ledger)."""

from datetime import date
from decimal import Decimal as D

import pytest

from integrations.fakes.pennylane import SCOPES
from integrations.services import connection_sync
from kpis.models import Kpi, KpiValue
from kpis.periods import period_containing
from kpis.services import catalogue_install, kpi_values_recompute
from tests.integrations.conftest import TOKEN
from tests.integrations.pennylane_2026.books import SYNCED_ON

pytestmark = pytest.mark.django_db

FEB, MAR = date(2026, 2, 28), date(2026, 3, 31)


@pytest.fixture
def synced(connection, fake):
    fake.scopes[TOKEN] = set(SCOPES.values()) - {"ledger_entries:readonly", "ledger_accounts:readonly"}
    org = connection.organization
    catalogue_install(org)
    connection_sync(connection=connection)
    kpi_values_recompute(org=org, today=SYNCED_ON)
    return org


def value(org, slug: str, day: date) -> D | None:
    p = period_containing(day, "month", org.fiscal_year_start_month)
    row = KpiValue.objects.for_org(org).get(kpi=Kpi.objects.for_org(org).get(slug=slug), grain="month",
                                            period_start=p.start, dimension_value="")
    return row.value


def test_revenue_counts_no_draft_cancelled_or_archived_invoice(synced):
    # A 1 000 + A2 1 000 − F's credit note 500 (E and its credit note, D, G: not sales)
    assert value(synced, "revenue", MAR) == D("1500")


def test_dso_uses_what_was_still_due_at_month_end_over_real_sales(synced):
    # still due 31 Mar: A2 1 200 + B 1 400 + F 1 200 = 3 800; sales incl. VAT: 1 200 + 1 200 − 600 = 1 800
    assert value(synced, "dso", MAR).quantize(D("0.01")) == (D(3800) / D(1800) * 31).quantize(D("0.01"))


def test_late_payments_at_the_end_of_march(synced):
    # B (due 12 Mar, 1 400 left) and F (due 19 Feb, 1 200 left); C was paid on 31 Mar although
    # recorded in April; the draft D is not an invoice yet.
    assert value(synced, "late_invoices_count", MAR) == D("2")
    assert value(synced, "late_invoices_amount", MAR) == D("2600")
    assert value(synced, "late_0_30", MAR) == D("1400")
    assert value(synced, "late_31_60", MAR) == D("1200")


def test_ageing_as_it_was_at_the_end_of_february(synced):
    # Only F was late on 28 Feb (9 days), for its whole 1 800: the credit note came on 10 Mar.
    assert value(synced, "late_invoices_count", FEB) == D("1")
    assert value(synced, "late_0_30", FEB) == D("1800")
    # still due 28 Feb: B 2 400 + C 600 + F 1 800 = 4 800; February sales: B 2 400 + C 600 = 3 000
    assert value(synced, "dso", FEB).quantize(D("0.01")) == (D(4800) / D(3000) * 28).quantize(D("0.01"))
