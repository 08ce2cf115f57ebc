from datetime import date

import pytest
from freezegun import freeze_time

from tests.kpis.ui.kpi_data import make_kpi, make_metric

TODAY = date(2026, 11, 15)  # so "last month" is October 2026 and the running month November 2026


@pytest.fixture(autouse=True)
def frozen_today():
    with freeze_time("2026-11-15 10:00:00"):
        yield


@pytest.fixture
def acme_kpis(acme):
    """Revenue (everyone) and gross margin % (cost detail only), over one invoice metric."""
    make_metric(acme, slug="sales", name="Customer invoices excl. VAT")
    revenue = make_kpi(acme, slug="revenue", name="Revenue", formula="sales", sort_order=1)
    margin = make_kpi(acme, slug="gross_margin", name="Gross margin %", formula="revenue / 2",
                      unit="percent", visibility="kpis.view_costs", sort_order=2)
    return {"revenue": revenue, "gross_margin": margin}
