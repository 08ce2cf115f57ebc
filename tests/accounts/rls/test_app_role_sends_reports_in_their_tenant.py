"""As the app role, the reports beat visits every tenant, each schedule's task sends in its own tenant,
and a consultancy's schedule reads the consultancy's branding from the consultancy's tenant."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from freezegun import freeze_time

from accounts.capabilities import Role
from reports import services
from reports.models import SentReport
from reports.tasks import reports_send_due_task
from tests.accounts.rls.test_app_role_runs_tasks_in_their_tenant import organization_left_on_the_connection
from tests.factories import make_member
from tests.reports.helpers import kpis_with_history, make_schedule

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    monkeypatch.setattr("reports.rendering.pdf_from_html", lambda html: html.encode())


def test_the_reports_beat_sends_each_tenants_reports_with_the_consultancys_branding(
        acme, alice, globex, capfirm, carol, as_app_role):
    kpis_with_history(acme)
    firm_ceo = make_member(capfirm, role=Role.CEO)
    services.branding_update(org=capfirm, by=firm_ceo, display_name="Cap Firm Advisory", primary_colour="#0a0a0a",
                             accent_colour="#ff8800")
    make_schedule(acme, roles=[Role.CFO], consultancy=capfirm)
    make_member(globex, role=Role.CFO, email="cfo@globex.test")
    make_schedule(globex, roles=[Role.CFO])
    with as_app_role(), freeze_time(datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))):
        assert reports_send_due_task() == 2
        assert organization_left_on_the_connection() == ""
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.test", "cfo@globex.test"]
    acme_pdf = next(m for m in mail.outbox if m.to == ["alice@acme.test"]).attachments[0][1].decode()
    assert "Cap Firm Advisory" in acme_pdf
    assert SentReport.objects.for_org(acme).get().branded_by == "Cap Firm Advisory"
    assert SentReport.objects.for_org(globex).get().branded_by == "Globex"
