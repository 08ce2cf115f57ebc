"""The home page's KPI panel: the tiles PRODUCT.md gives each role, with value, status and change."""

from datetime import date

from accounts.capabilities import Role
from tests.conftest import url
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_target, set_value

SLUGS = {  # slug: (unit, visibility)
    "revenue": ("eur", "kpis.view"), "gross_margin_pct": ("percent", "kpis.view_costs"),
    "net_cash": ("eur", "kpis.view"), "order_processing_mean": ("hours", "kpis.view"),
    "return_rate": ("percent", "kpis.view"), "mrr": ("eur", "kpis.view"), "churn_rate": ("percent", "kpis.view"),
    "late_0_30": ("eur", "kpis.view"), "late_31_60": ("eur", "kpis.view"), "late_61_90": ("eur", "kpis.view"),
    "late_over_90": ("eur", "kpis.view"),
}


def _catalogue(org):
    kpis = {slug: make_kpi(org, slug=slug, unit=unit, visibility=vis) for slug, (unit, vis) in SLUGS.items()}
    for i, kpi in enumerate(kpis.values()):
        set_value(kpi, date(2026, 9, 1), str(100 + i))
        set_value(kpi, date(2026, 10, 1), str(110 + i))
    return kpis


def _tiles(client, org, role) -> list[str]:
    member = make_member(org, role=role)
    client.force_login(member.user)
    html = client.get(url("accounts:org_home", org_slug=org.slug)).content.decode()
    return [chunk.split('"', 1)[0] for chunk in html.split('<article class="kpi-tile" data-kpi="')[1:]], html


def test_ceo_sees_revenue_margin_and_cash(client, acme):
    _catalogue(acme)
    tiles, html = _tiles(client, acme, Role.CEO)
    assert tiles == ["revenue", "gross_margin_pct", "net_cash", "mrr"]
    assert "Key figures — October 2026" in html


def test_cfo_sees_margin_and_cash_and_the_receivables_ageing(client, acme):
    kpis = _catalogue(acme)
    set_target(kpis["net_cash"], date(2026, 10, 1), "100")
    tiles, html = _tiles(client, acme, Role.CFO)
    assert tiles == ["gross_margin_pct", "net_cash", "revenue"]
    tile = html[html.index('data-kpi="net_cash"'):]
    tile = tile[:tile.index("</article>")]
    # net cash 112 (Oct) vs 102 (Sep): +9.8 %, on track against 100
    assert "€112" in tile and "↑ +9.8%" in tile and "status-on_track" in tile
    assert 'data-chart="bars"' in html and "Receivables past due, by age" in html


def test_coo_sees_operations_and_no_cost_kpi(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.COO)
    # The COO's own two come first; with fewer than three, another figure the COO may see fills the panel.
    assert tiles[:2] == ["order_processing_mean", "return_rate"]
    assert len(tiles) == 3 and "gross_margin_pct" not in tiles


def test_cro_sees_revenue_and_customers(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.CRO)
    assert tiles == ["mrr", "churn_rate", "revenue"]


def test_admin_gets_no_kpi_panel(client, acme):
    _catalogue(acme)
    tiles, html = _tiles(client, acme, Role.ADMIN)
    assert tiles == [] and 'data-testid="kpi-panel"' not in html
