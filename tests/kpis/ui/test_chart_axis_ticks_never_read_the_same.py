"""Chart axes format with Intl in the page's language; compact tick labels keep the digits that tell
adjacent ticks apart (never "2 k€, 2 k€")."""

from datetime import date
from itertools import pairwise

import pytest

from tests.browser.conftest import browser, log_in, settle_and_close  # noqa: F401 -- fixtures, used by name
from tests.factories import PASSWORD, make_member
from tests.kpis.ui.kpi_data import make_kpi, make_metric, set_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def french_page(browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    settle_and_close(context)


@pytest.fixture
def cfo(acme):
    make_metric(acme, slug="sales", name="Customer invoices excl. VAT")
    revenue = make_kpi(acme, slug="revenue", name="Revenue", formula="sales")
    set_history(revenue, last=date(2026, 10, 1), values=[str(1500 + 100 * i) for i in range(12)])
    return make_member(acme, role="cfo", email="cfo@acme.test")


def _labels(page, fmt: dict, values: list[float]) -> list[str]:
    return page.evaluate("([f, vs]) => { const fn = window.PilotageCharts.formatter(f, true); return vs.map(fn); }",
                         [fmt, values])


def test_compact_euro_ticks_keep_their_distinguishing_digit(french_page, cfo):
    log_in(french_page, "cfo@acme.test", PASSWORD)
    french_page.goto("/o/acme/kpis/revenue/?month=2026-10")
    french_page.wait_for_selector("[data-chart=trend] svg")
    euros = {"style": "currency", "currency": "EUR", "decimals": 0}
    labels = _labels(french_page, euros, [1500, 2000, 2500, 3000])
    assert len(set(labels)) == 4
    assert labels[0].startswith("1,5") and labels[0].endswith("€")  # French: decimal comma, euro sign after
    assert len(set(_labels(french_page, euros, [1_000_000, 1_250_000, 1_500_000]))) == 3
    percent = {"style": "percent", "decimals": 1, "scale": 0.01}
    assert len(set(_labels(french_page, percent, [12, 12.5, 13]))) == 3


def test_the_trend_axis_reads_distinct_ticks(french_page, cfo):
    log_in(french_page, "cfo@acme.test", PASSWORD)
    french_page.goto("/o/acme/kpis/revenue/?month=2026-10")
    french_page.wait_for_selector("[data-chart=trend] svg")
    texts = french_page.eval_on_selector_all("[data-chart=trend] svg text", "els => els.map(e => e.textContent)")
    ticks = [t for t in texts if "k" in t and "€" in t]
    assert len(ticks) >= 3
    assert all(a != b for a, b in pairwise(ticks))
