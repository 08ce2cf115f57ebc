"""The home page is the member's role dashboard: the tiles of the role's KPI pack (kpis/catalogue/role_packs.toml),
with value, status and change, then others the role may see when its own have no value."""

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
    "total_marketing_spend": ("eur", "kpis.view"), "cost_per_lead": ("eur", "kpis.view"),
    "on_time_delivery": ("percent", "kpis.view"),
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
    return [chunk.split('"', 1)[0] for chunk in html.split('data-widget="kpi_tile" data-kpi="')[1:]], html


def test_ceo_sees_revenue_margin_and_cash(client, acme):
    _catalogue(acme)
    tiles, html = _tiles(client, acme, Role.CEO)
    assert tiles == ["revenue", "gross_margin_pct", "net_cash", "mrr"]
    assert "October 2026, compared with September 2026" in html


def test_cfo_sees_margin_and_cash_and_the_receivables_ageing(client, acme):
    kpis = _catalogue(acme)
    set_target(kpis["net_cash"], date(2026, 10, 1), "100")
    tiles, html = _tiles(client, acme, Role.CFO)
    assert tiles == ["gross_margin_pct", "net_cash", "revenue"]
    tile = html[html.index('data-kpi="net_cash"'):]
    tile = tile[:tile.index("</article>")]
    # net cash 112 (Oct) vs 102 (Sep): +9.8 %, on track against 100
    assert "€112" in tile and "↑ +9.8%" in tile and "status-on_track" in tile and "target €100" in tile
    assert 'data-chart="bars"' in html and "Receivables past due, by age" in html


def test_coo_sees_operations_and_no_cost_kpi(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.COO)
    assert tiles == ["order_processing_mean", "on_time_delivery", "return_rate"]
    assert "gross_margin_pct" not in tiles


def test_cro_sees_revenue_and_customers(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.CRO)
    assert tiles == ["mrr", "churn_rate", "revenue"]


def test_admin_gets_no_kpi_tile_but_the_data_freshness(client, acme):
    _catalogue(acme)
    tiles, html = _tiles(client, acme, Role.ADMIN)
    assert tiles == [] and 'data-widget="freshness"' in html


def test_cmo_sees_marketing_spend_and_cost_per_lead_and_another_figure_fills_the_third_tile(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.CMO)
    # With fewer than three of its own, another figure the CMO may see fills the row (catalogue order).
    assert tiles[:2] == ["total_marketing_spend", "cost_per_lead"] and len(tiles) == 3
    assert tiles[2] not in ("gross_margin_pct",)


def test_cxo_sees_churn_on_time_delivery_and_returns(client, acme):
    _catalogue(acme)
    tiles, _html = _tiles(client, acme, Role.CXO)
    assert tiles == ["churn_rate", "on_time_delivery", "return_rate"]
