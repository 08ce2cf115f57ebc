"""The catalogue shows each KPI's exact formula, last month's value, its status and the change on the month before."""

from datetime import date

from tests.conftest import url
from tests.kpis.ui.kpi_data import set_target, set_value


def _row(html: str, slug: str) -> str:
    start = html.index(f'data-kpi="{slug}"')
    return html[start:html.index("</tr>", start)]


def _catalogue(client, member, language: str) -> str:
    client.force_login(member.user)
    return client.get(url("kpis:catalogue", org_slug="acme"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_revenue_row_in_english(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 9, 1), "1000.00")
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "1234.56")
    set_target(acme_kpis["revenue"], date(2026, 10, 1), "1200")
    row = _row(_catalogue(client, alice, "en"), "revenue")
    assert "€1,235" in row  # whole euros in the overview: 1,234.56 rounds to 1,235
    assert "€1,200" in row
    assert "status-on_track" in row and "On track" in row  # 1,234.56 ≥ 1,200
    # (1,234.56 − 1,000) ÷ 1,000 = +23.456 % → +23.5 %, good news for a higher-is-better KPI
    assert '"delta delta-good" title="compared with September 2026">↑ +23.5%' in row
    assert '<code class="formula"><abbr title="Customer invoices excl. VAT">sales</abbr></code>' in row


def test_revenue_and_margin_rows_in_french(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 9, 1), "1000.00")
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "1234.56")
    set_value(acme_kpis["gross_margin"], date(2026, 9, 1), "40")
    set_value(acme_kpis["gross_margin"], date(2026, 10, 1), "42.5")
    set_target(acme_kpis["gross_margin"], date(2026, 10, 1), "45")
    html = _catalogue(client, alice, "fr")
    assert "1\u202f235\xa0€" in _row(html, "revenue")
    margin = _row(html, "gross_margin")
    assert "42,5\xa0%" in margin  # the engine keeps percentages as numbers of percent
    assert "+2,5 pt" in margin  # 42.5 − 40 = 2.5 points
    # 42.5 is below 45 but within 10 % of it (45 − 4.5 = 40.5 ≤ 42.5): at risk
    assert "status-at_risk" in margin
    assert '<a href="/o/acme/kpis/revenue/">revenue</a> / 2' in margin


def test_a_kpi_without_a_value_says_why_in_plain_words_instead_of_showing_zero(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 9, 1), "900")
    set_value(acme_kpis["revenue"], date(2026, 10, 1), None, reason="division by zero (units_shipped is 0)")
    row = _row(_catalogue(client, alice, "en"), "revenue")
    assert "Not computable this period: a divisor is zero" in row
    assert "units_shipped" not in row  # the engine's words never reach the page
    assert "€0" not in row
    assert "status-no_data" in row


def test_an_earlier_month_can_be_chosen(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 6, 1), "777")
    client.force_login(alice.user)
    html = client.get(url("kpis:catalogue", org_slug="acme") + "?month=2026-06").content.decode()
    assert "€777" in _row(html, "revenue")
    assert "June 2026" in html


def test_each_sparkline_is_also_said_in_words(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 2, 1), "900")
    set_value(acme_kpis["revenue"], date(2026, 7, 1), "1500")
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "1000")
    row = _row(_catalogue(client, alice, "en"), "revenue")
    assert ('<span class="visually-hidden">Last 12 months: lowest €900 in February 2026, '
            "highest €1,500 in July 2026.</span>") in row
