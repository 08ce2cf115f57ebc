"""The editor's live check (HTMX): syntax errors with their position, unknown references, cycles, a preview."""

from datetime import date

from tests.conftest import url
from tests.kpis.ui.kpi_data import make_kpi, set_value


def _check(client, member, formula: str, **extra) -> str:
    client.force_login(member.user)
    response = client.post(url("kpis:formula_check", org_slug="acme"), {"formula": formula, "unit": "eur", **extra},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_a_syntax_error_is_shown_with_its_position_and_a_caret(client, alice, acme_kpis):
    html = _check(client, alice, "revenue * (2 + ")
    assert "The formula ends too early." in html
    assert "(character 16)" in html  # the end of the 15-character formula
    assert '<div class="caret-view" aria-hidden="true">revenue * (2 + <mark> </mark></div>' in html


def test_an_unknown_character_is_pointed_at(client, alice, acme_kpis):
    html = _check(client, alice, "revenue $ 2")
    assert "Unexpected character “$”." in html
    assert "(character 9)" in html
    assert "revenue <mark>$</mark> 2" in html


def test_an_unknown_reference_is_named_and_located(client, alice, acme_kpis):
    html = _check(client, alice, "revenue - refunds")
    assert "Unknown metric or KPI “refunds”." in html
    assert "(character 11)" in html
    assert '<li class="unknown" title="unknown">refunds · unknown</li>' in html
    assert '<li class="" title="Revenue">revenue · KPI</li>' in html


def test_a_kpi_hidden_from_the_role_counts_as_unknown(client, bob, acme_kpis):
    html = _check(client, bob, "gross_margin * 2")  # Bob is COO: no cost detail
    assert "Unknown metric or KPI “gross_margin”." in html


def test_a_cycle_is_refused_with_its_path(client, alice, acme_kpis):
    make_kpi(acme_kpis["revenue"].organization, slug="double_revenue", name="Double revenue", formula="revenue * 2")
    html = _check(client, alice, "double_revenue + 1", editing="revenue")
    assert "Circular reference: Revenue → Double revenue → Revenue." in html


def test_a_valid_formula_previews_its_recent_values(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "1234.56")
    set_value(acme_kpis["revenue"], date(2026, 9, 1), "1000")
    html = _check(client, alice, "revenue * 2 - 0.12")
    assert "The formula is valid." in html
    assert 'October 2026</th><td class="num">€2,469.00</td>' in html  # 1,234.56 × 2 − 0.12
    assert 'September 2026</th><td class="num">€1,999.88</td>' in html  # 1,000 × 2 − 0.12
    assert 'August 2026</th><td class="num"><span class="no-value">' in html  # no revenue materialised then
