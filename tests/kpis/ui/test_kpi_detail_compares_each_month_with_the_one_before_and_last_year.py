"""The KPI page: values table with previous month and same month last year, trend data for the chart, notes."""

import json
import re
from datetime import date

from tests.conftest import url
from tests.kpis.ui.kpi_data import annotate, set_history, set_target, set_value


def _detail(client, member, **params) -> str:
    client.force_login(member.user)
    response = client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue"), params)
    assert response.status_code == 200
    return response.content.decode()


def _values_row(html: str, month_label: str) -> str:
    table = html[html.index('data-testid="values"'):]
    start = table.index(f'<th scope="row">{month_label}')
    return table[start:table.index("</tr>", start)]


def test_october_is_compared_with_september_and_october_last_year(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    set_value(revenue, date(2025, 10, 1), "800")
    set_value(revenue, date(2026, 9, 1), "1000")
    set_value(revenue, date(2026, 10, 1), "1100")
    set_target(revenue, date(2026, 10, 1), "1250")
    row = _values_row(_detail(client, alice), "October 2026")
    assert "€1,100.00" in row and "€1,250.00" in row
    # 1,100 < 1,250 − 10 % × 1,250 = 1,125: off track
    assert "status-off_track" in row
    assert "€1,000.00" in row and "↑ +10.0%" in row  # (1,100 − 1,000) ÷ 1,000
    assert "€800.00" in row and "↑ +37.5%" in row  # (1,100 − 800) ÷ 800


def test_the_running_month_is_marked_to_date_and_the_headline_is_last_month(client, alice, acme_kpis):
    set_value(acme_kpis["revenue"], date(2026, 10, 1), "1100")
    set_value(acme_kpis["revenue"], date(2026, 11, 1), "300")
    html = _detail(client, alice)
    assert "November 2026 <small class=\"muted\">(to date)</small>" in html
    headline = html[html.index('data-testid="headline"'):]
    assert headline.index("October 2026") < headline.index("€1,100.00") < headline.index("</dl>")


def test_the_trend_chart_gets_24_months_with_targets_last_year_and_notes(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    set_history(revenue, last=date(2026, 10, 1), values=[str(100 + i) for i in range(24)],
                targets=[None] * 23 + ["130"])
    annotate(revenue, date(2026, 8, 1), "Summer sale")
    html = _detail(client, alice, month="2026-10")
    data = json.loads(re.search(r'<script id="kpi-trend-data" type="application/json">(.*?)</script>', html,
                                re.DOTALL).group(1))
    assert data["periods"][0] == "2024-11-01" and data["periods"][-1] == "2026-10-01"
    assert data["actual"][-1] == 123.0 and data["actual"][0] == 100.0
    assert data["target"][-1] == 130.0 and data["target"][0] is None
    assert data["previous_year"][-1] == 111.0  # October 2025 was the 12th of the 24 months: 100 + 11
    assert data["annotations"] == [{"period": "2026-08-01", "text": "Summer sale"}]
    assert data["format"] == {"style": "currency", "currency": "EUR", "decimals": 0}
    assert "Summer sale" in html  # the notes are listed under the chart too


def test_another_tenants_kpi_is_a_404(client, mallory, acme_kpis):
    client.force_login(mallory.user)
    assert client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue")).status_code == 404
    assert client.get(url("kpis:kpi_detail", org_slug="globex", kpi_slug="revenue")).status_code == 404


def test_a_kpi_with_a_dimension_shows_last_month_by_dimension_value(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    revenue.dimension_label = "segment"
    revenue.save(update_fields=["dimension_label"])
    set_value(revenue, date(2026, 10, 1), "1000")
    set_value(revenue, date(2026, 10, 1), "700", dimension_value="Retail")
    set_value(revenue, date(2026, 10, 1), "300", dimension_value="Wholesale")
    html = _detail(client, alice)
    breakdown = html[html.index('data-testid="breakdown"'):]
    breakdown = breakdown[:breakdown.index("</section>")]
    assert "By segment — October 2026" in breakdown
    assert '"labels": ["Retail", "Wholesale"], "values": [700.0, 300.0]' in breakdown  # largest first
    assert ('<tr><th scope="row">Retail</th><td class="num">€700.00</td></tr>'
            '<tr><th scope="row">Wholesale</th><td class="num">€300.00</td></tr>') in breakdown
    assert '<option value="Wholesale" >Wholesale</option>' in html


def test_the_values_table_by_fiscal_quarter(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    for start, value in ((date(2025, 7, 1), "2000"), (date(2026, 4, 1), "2400"), (date(2026, 7, 1), "3000")):
        kv = set_value(revenue, start, value)
        kv.grain = "quarter"
        kv.save(update_fields=["grain"])
    html = _detail(client, alice, grain="quarter", month="2026-09")
    row = _values_row(html, "Q3 2026")
    assert "€3,000.00" in row
    assert "€2,400.00" in row and "↑ +25.0%" in row  # on Q2 2026: (3,000 − 2,400) ÷ 2,400
    assert "€2,000.00" in row and "↑ +50.0%" in row  # on Q3 2025: (3,000 − 2,000) ÷ 2,000
