"""A CEO, an Admin or the team's owner composes a team dashboard; it is read by those it is shared with."""

from datetime import date

from accounts.capabilities import Role
from dashboards.models import Dashboard, Widget
from tests.conftest import url
from tests.dashboards.helpers import make_dashboard, make_widget
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_value


def _compose(dashboard):
    return url("dashboards:dashboard_compose", org_slug=dashboard.organization.slug, dashboard_id=dashboard.pk)


def test_the_ceo_creates_a_team_dashboard_and_adds_reorders_resizes_and_removes_widgets(client, acme, acme_ceo):
    kpi = make_kpi(acme, slug="on_time_delivery", unit="percent")
    client.force_login(acme_ceo.user)
    response = client.post(url("dashboards:dashboard_create", org_slug="acme"), {"name": "Logistique", "team": "Logistics"})
    dashboard = Dashboard.objects.for_org(acme).get(name="Logistique")
    assert response.status_code == 302 and response["Location"] == _compose(dashboard)
    add = url("dashboards:widget_add", org_slug="acme", dashboard_id=dashboard.pk)
    client.post(add, {"kind": "kpi_tile", "kpi": kpi.pk, "width": 1, "months": 12})
    client.post(add, {"kind": "trend", "kpi": kpi.pk, "width": 2, "months": 24})
    client.post(add, {"kind": "freshness", "width": 1, "months": 12})
    tile, trend, freshness = Widget.objects.for_org(acme).filter(dashboard=dashboard).order_by("position")
    assert (trend.months, trend.width) == (24, 2)
    client.post(url("dashboards:widget_move", org_slug="acme", dashboard_id=dashboard.pk, widget_id=freshness.pk),
                {"offset": "-1"})
    client.post(url("dashboards:widget_resize", org_slug="acme", dashboard_id=dashboard.pk, widget_id=tile.pk),
                {"width": "4"})
    client.post(url("dashboards:widget_remove", org_slug="acme", dashboard_id=dashboard.pk, widget_id=trend.pk))
    kinds = list(Widget.objects.for_org(acme).filter(dashboard=dashboard).order_by("position")
                 .values_list("kind", "width"))
    assert kinds == [("kpi_tile", 4), ("freshness", 1)]


def test_a_widget_needs_a_kpi_it_may_see(client, acme, acme_ceo):
    dashboard = make_dashboard(acme)
    client.force_login(acme_ceo.user)
    client.post(url("dashboards:widget_add", org_slug="acme", dashboard_id=dashboard.pk),
                {"kind": "kpi_tile", "width": 1, "months": 12})
    assert not Widget.objects.for_org(acme).filter(dashboard=dashboard).exists()


def test_the_owner_composes_their_team_dashboard_and_another_executive_does_not(client, acme, bob, alice):
    dashboard = make_dashboard(acme, owner=bob, roles=[Role.CFO])
    client.force_login(bob.user)
    assert client.get(_compose(dashboard)).status_code == 200
    client.force_login(alice.user)  # the CFO reads it (shared with CFOs) but does not compose it
    assert client.get(url("dashboards:dashboard_detail", org_slug="acme", dashboard_id=dashboard.pk)).status_code == 200
    assert client.get(_compose(dashboard)).status_code == 404
    assert client.post(url("dashboards:dashboard_create", org_slug="acme"), {"name": "Mine"}).status_code == 403


def test_a_dashboard_is_read_only_by_those_it_is_shared_with(client, acme):
    viewer, cxo, cro = (make_member(acme, role=r) for r in (Role.VIEWER, Role.CXO, Role.CRO))
    dashboard = make_dashboard(acme, roles=[Role.CXO])
    dashboard.shared_with_members.add(viewer)
    detail = url("dashboards:dashboard_detail", org_slug="acme", dashboard_id=dashboard.pk)
    for member, status in [(viewer, 200), (cxo, 200), (cro, 404)]:
        client.force_login(member.user)
        assert client.get(detail).status_code == status, member.role
    client.force_login(cro.user)
    assert dashboard.name not in client.get(url("dashboards:dashboard_list", org_slug="acme")).content.decode()


def test_sharing_never_shows_a_figure_the_reader_may_not_see(client, acme, acme_ceo):
    margin = make_kpi(acme, slug="gross_margin_pct", unit="percent", visibility="kpis.view_costs")
    set_value(margin, date(2026, 10, 1), "42.5")
    dashboard = make_dashboard(acme, roles=[Role.VIEWER, Role.CEO])
    make_widget(dashboard, kind=Widget.Kind.KPI_TILE, kpi=margin)
    detail = url("dashboards:dashboard_detail", org_slug="acme", dashboard_id=dashboard.pk)
    client.force_login(acme_ceo.user)
    assert 'data-kpi="gross_margin_pct"' in client.get(detail).content.decode()
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    html = client.get(detail).content.decode()
    assert 'data-kpi="gross_margin_pct"' not in html and "42" not in html.split('data-testid="dashboard-body"')[1]
    assert 'data-testid="hidden-widgets"' in html


def test_another_companys_dashboard_is_a_404(client, acme, globex, mallory):
    dashboard = make_dashboard(acme, roles=list(Role.values))
    client.force_login(mallory.user)
    assert client.get(url("dashboards:dashboard_detail", org_slug="globex", dashboard_id=dashboard.pk)).status_code == 404
