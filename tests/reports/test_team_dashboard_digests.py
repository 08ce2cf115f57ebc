"""A team dashboard is sent on a schedule to those it is shared with (members, roles) and its owner: its KPI
tiles and trends as figures and charts, each recipient cut by kpi_visibility_for as a role digest is."""

import pytest
from django.core import mail

from accounts.capabilities import Role
from dashboards.models import Dashboard, Widget
from dashboards.services import dashboard_update, widget_add
from reports import services
from reports.models import ReportSchedule, SentReport
from reports.schedule import month_period
from tests.conftest import url
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, pdf_text


def _pdf_text(message) -> str:
    (content,) = [a[1] for a in message.attachments if isinstance(a, tuple) and a[2] == "application/pdf"]
    return pdf_text(content)


@pytest.fixture
def logistics(acme, acme_ceo):
    """Revenue (everyone) and EBE (cost detail) on a dashboard owned by a COO, shared with the Viewer role and a CFO."""
    kpis = kpis_with_history(acme)
    owner = make_member(acme, role=Role.COO, email="coo@acme.test")
    dashboard = Dashboard.objects.create(organization=acme, name="Logistique", team="Logistics", owner=owner)
    widget_add(dashboard=dashboard, kind=Widget.Kind.KPI_TILE, kpi=kpis["revenue"])
    widget_add(dashboard=dashboard, kind=Widget.Kind.TREND, kpi=kpis["ebe"])
    widget_add(dashboard=dashboard, kind=Widget.Kind.FRESHNESS)
    return dashboard, owner


def _schedule(org, by, dashboard, **kw) -> ReportSchedule:
    return services.schedule_save(by=by, org=org, kind="team", frequency="monthly", day=3, hour=8,
                                  time_zone="Europe/Paris", roles=[], members=[], dashboard=dashboard, **kw)


def test_the_dashboard_goes_to_its_shared_members_and_roles_and_its_owner(acme, acme_ceo, alice, logistics):
    dashboard, owner = logistics
    viewer = make_member(acme, role=Role.VIEWER, email="viewer@acme.test")
    make_member(acme, role=Role.CRO, email="cro@acme.test")  # not shared with: gets nothing
    dashboard_update(dashboard=dashboard, name=dashboard.name, team=dashboard.team, owner=owner, period="month",
                     comparison="previous", roles=[Role.VIEWER], members=[alice])
    services.schedule_deliver(schedule=_schedule(acme, acme_ceo, dashboard), period=month_period(REPORT_MONTH))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.user.email, owner.user.email, viewer.user.email])
    assert {m.subject for m in mail.outbox} == {"Logistique dashboard · Acme · October 2026"}


def test_each_recipient_sees_only_the_figures_their_role_may_see(acme, acme_ceo, alice, logistics):
    dashboard, owner = logistics
    viewer = make_member(acme, role=Role.VIEWER, email="viewer@acme.test")
    dashboard_update(dashboard=dashboard, name=dashboard.name, team=dashboard.team, owner=owner, period="month",
                     comparison="previous", roles=[], members=[alice, viewer])
    services.schedule_deliver(schedule=_schedule(acme, acme_ceo, dashboard), period=month_period(REPORT_MONTH))
    texts = {m.to[0]: _pdf_text(m) for m in mail.outbox}
    assert "€123,456" in texts[alice.user.email] and "€24,680" in texts[alice.user.email]  # the CFO sees EBE
    assert "€123,456" in texts[viewer.user.email] and "€24,680" not in texts[viewer.user.email]
    assert "EBE" not in texts[viewer.user.email]  # not even its trend's title
    assert SentReport.objects.for_org(acme).filter(kind="team").count() == 3  # alice, viewer, the owner


def test_the_form_offers_only_this_companys_dashboards(client, acme, acme_ceo, logistics, globex):
    theirs = Dashboard.objects.create(organization=globex, name="Theirs")
    client.force_login(acme_ceo.user)
    post = {"kind": "team", "frequency": "weekly", "day": 1, "hour": 8, "time_zone": "Europe/Paris",
            "is_enabled": "on"}
    response = client.post(url("reports:schedule_create", org_slug="acme"), {**post, "dashboard": theirs.pk})
    assert response.status_code == 200 and "dashboard" in response.context["form"].errors
    assert not ReportSchedule.objects.for_org(acme).exists()
    response = client.post(url("reports:schedule_create", org_slug="acme"), {**post, "dashboard": logistics[0].pk})
    assert response.status_code == 302
    assert ReportSchedule.objects.for_org(acme).get().dashboard == logistics[0]


def test_the_service_refuses_another_companys_dashboard_or_none(acme, acme_ceo, globex):
    from django.core.exceptions import ValidationError

    theirs = Dashboard.objects.create(organization=globex, name="Theirs")
    for dashboard in (theirs, None):
        with pytest.raises(ValidationError):
            _schedule(acme, acme_ceo, dashboard)
