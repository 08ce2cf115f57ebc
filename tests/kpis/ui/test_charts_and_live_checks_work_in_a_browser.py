"""In headless Chromium, under the strict CSP: the charts draw, the formula check answers as one types,
and a what-if comes back into the page."""

from datetime import date

import pytest

from tests.browser.conftest import browser, log_in, page  # noqa: F401 -- fixtures, used by name
from tests.factories import PASSWORD, make_member
from tests.kpis.engine.records import invoice
from tests.kpis.ui.kpi_data import make_kpi, make_metric, set_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cfo(acme):
    make_metric(acme, slug="sales", name="Customer invoices excl. VAT")
    revenue = make_kpi(acme, slug="revenue", name="Revenue", formula="sales")
    make_kpi(acme, slug="half_revenue", name="Half revenue", formula="revenue / 2")
    set_history(revenue, last=date(2026, 10, 1), values=[str(1000 + 10 * i) for i in range(12)],
                targets=["1050"] * 12)
    invoice(acme, date(2026, 10, 3), excl="1110.00")
    return make_member(acme, role="cfo", email="cfo@acme.test")


def _console_errors(tab) -> list[str]:
    """JavaScript errors, CSP refusals and failed loads (but the favicon, which the app does not serve)."""
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text)
           if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}")
           if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return errors


def test_catalogue_draws_the_heatmap_and_a_sparkline_per_kpi(page, cfo):  # noqa: F811
    errors = _console_errors(page)
    log_in(page, "cfo@acme.test", PASSWORD)
    page.goto("/o/acme/kpis/?month=2026-10")
    page.wait_for_selector("[data-chart=heatmap] svg")
    # "Half revenue" never had a value: it is listed apart, waiting for data, without a sparkline.
    assert page.locator("[data-chart=sparkline] svg").count() == 1
    assert errors == []


def test_the_formula_check_answers_as_one_types(page, cfo):  # noqa: F811
    log_in(page, "cfo@acme.test", PASSWORD)
    page.goto("/o/acme/kpis/new/")
    page.locator("textarea[name=formula]").type("revenue * (2 +", delay=10)
    page.wait_for_selector("[data-testid=formula-error]")
    assert "The formula ends too early." in page.inner_text("#formula-check")
    page.locator("textarea[name=formula]").fill("")
    page.locator("textarea[name=formula]").type("revenue * 2", delay=10)
    page.wait_for_selector("[data-testid=formula-ok]")
    assert "€2,220.00" in page.inner_text("[data-testid=formula-preview]")  # October: 1,110 × 2


def test_a_what_if_comes_back_into_the_kpi_page(page, cfo):  # noqa: F811
    errors = _console_errors(page)
    log_in(page, "cfo@acme.test", PASSWORD)
    page.goto("/o/acme/kpis/half_revenue/?month=2026-10")
    page.wait_for_selector("[data-chart=trend] svg")
    page.select_option("select[name=driver]", "sales")
    page.fill("input[name=amount]", "10")
    page.click("form.what-if-form button[type=submit]")
    page.wait_for_selector("[data-testid=what-if-result]")
    result = page.inner_text("[data-testid=what-if-result]")
    assert "€1,221.00" in result  # sales 1,110 × 1.10
    assert page.url.endswith("/o/acme/kpis/half_revenue/?month=2026-10")  # no navigation: an HTMX swap
    assert errors == []
