"""The preview (page, PDF download, "send me a preview now") and the archive of sent reports, with its guards."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from freezegun import freeze_time

from accounts.capabilities import Role
from reports import services
from reports.models import SentReport
from reports.schedule import month_period
from tests.conftest import url
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule, pdf_text


@pytest.fixture(autouse=True)
def _november():
    with freeze_time(date(2026, 11, 12)):
        yield


@pytest.fixture
def valued(acme):
    kpis_with_history(acme)
    return acme


def test_the_cfo_previews_last_months_report_on_a_page(client, valued, alice):
    client.force_login(alice.user)
    response = client.get(url("reports:preview", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "October 2026" in html and "€123,456" in html and "€24,680" in html
    assert html.count('src="data:image/svg+xml;base64,') == 2  # revenue and EBE trends


def test_the_preview_downloads_as_a_pdf(client, valued, alice):
    client.force_login(alice.user)
    response = client.get(url("reports:preview_pdf", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-cfo-2026-10.pdf"'
    assert "€123,456" in pdf_text(response.content)


def test_send_me_a_preview_now_e_mails_it_to_me_and_keeps_it_in_my_archive(
        client, valued, alice, django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reports:preview_send", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [alice.user.email]
    assert message.attachments[0][0] == "acme-cfo-2026-10.pdf"
    report = SentReport.objects.for_org(valued).get()
    assert report.is_preview and report.status == SentReport.Status.SENT and report.recipient == alice
    archive = client.get(url("reports:archive", org_slug="acme")).content.decode()
    assert url("reports:sent_report_pdf", org_slug="acme", sent_report_id=report.pk) in archive


def test_a_second_preview_is_a_new_report(client, valued, alice, django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("reports:preview_send", org_slug="acme"), {"kind": "ceo", "frequency": "weekly"})
    assert len(mail.outbox) == 2


def _sent(org, member, *, kind="cfo") -> SentReport:
    report = SentReport.objects.create(
        organization=org, kind=kind, recipient=member, recipient_email=member.user.email, recipient_role=member.role,
        language="en", period_key="2026-10", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        status=SentReport.Status.SENT)
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 " + member.user.email.encode()), save=True)
    return report


def test_a_viewer_cannot_download_the_cfos_report(client, acme, alice):
    viewer = make_member(acme, role=Role.VIEWER)
    report = _sent(acme, alice)
    client.force_login(viewer.user)
    assert client.get(url("reports:sent_report_pdf", org_slug="acme", sent_report_id=report.pk)).status_code == 404
    assert alice.user.email not in client.get(url("reports:archive", org_slug="acme")).content.decode()


def test_a_member_downloads_their_own_report(client, acme, alice):
    report = _sent(acme, alice)
    client.force_login(alice.user)
    response = client.get(url("reports:sent_report_pdf", org_slug="acme", sent_report_id=report.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_ceo_reads_every_report_but_the_admin_only_those_within_its_role(client, acme, alice, acme_ceo):
    admin = make_member(acme, role=Role.ADMIN)
    viewer = make_member(acme, role=Role.VIEWER)
    cfo_report, viewer_report = _sent(acme, alice), _sent(acme, viewer, kind="ceo")
    client.force_login(acme_ceo.user)
    assert client.get(url("reports:sent_report_pdf", org_slug="acme", sent_report_id=cfo_report.pk)).status_code == 200
    client.force_login(admin.user)
    assert client.get(url("reports:sent_report_pdf", org_slug="acme", sent_report_id=cfo_report.pk)).status_code == 404
    assert client.get(url("reports:sent_report_pdf", org_slug="acme",
                          sent_report_id=viewer_report.pk)).status_code == 200


def test_another_tenants_report_is_a_404(client, acme, alice, globex, mallory):
    report = _sent(acme, alice)
    client.force_login(mallory.user)
    assert client.get(url("reports:sent_report_pdf", org_slug="globex", sent_report_id=report.pk)).status_code == 404


def test_the_archive_makes_the_same_queries_for_2_and_20_reports(client, acme, alice, django_assert_max_num_queries):
    client.force_login(alice.user)

    def queries_with(n: int) -> int:
        while SentReport.objects.for_org(acme).count() < n:
            report = _sent(acme, alice)
            SentReport.objects.for_org(acme).filter(pk=report.pk).update(period_key=f"2026-{report.pk}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(url("reports:archive", org_slug="acme"))  # the session's first request writes its rows
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("reports:archive", org_slug="acme")).status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(2) == queries_with(20)


def test_the_preview_page_makes_the_same_queries_with_one_or_two_years_of_history(client, acme, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice.user)
    kpis = kpis_with_history(acme)
    client.get(url("reports:preview", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})  # session rows
    with CaptureQueriesContext(connection) as long_history:
        client.get(url("reports:preview", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})
    from kpis.models import KpiValue

    KpiValue.objects.for_org(acme).filter(period_start__lt=date(2025, 11, 1)).delete()
    assert kpis
    with CaptureQueriesContext(connection) as short_history:
        client.get(url("reports:preview", org_slug="acme"), {"kind": "cfo", "frequency": "monthly"})
    assert len(long_history.captured_queries) == len(short_history.captured_queries)


def test_a_schedule_is_created_from_the_form_with_roles_and_members(client, acme, acme_ceo, alice):
    client.force_login(acme_ceo.user)
    response = client.post(url("reports:schedule_create", org_slug="acme"), {
        "kind": "cfo", "frequency": "monthly", "day": "3", "hour": "8", "time_zone": "Europe/Paris",
        "roles": ["cfo"], "members": [acme_ceo.pk], "is_enabled": "on"})
    assert response.status_code == 302
    schedule = acme_ceo.organization and services.selectors.schedules_of(acme).get()
    assert schedule.roles == ["cfo"] and list(schedule.members.all()) == [acme_ceo]
    assert [m.user.email for m in services.selectors.recipients_of(schedule)] == sorted(
        [alice.user.email, acme_ceo.user.email])


def test_a_weekly_schedule_on_day_9_is_refused(client, acme, acme_ceo):
    client.force_login(acme_ceo.user)
    response = client.post(url("reports:schedule_create", org_slug="acme"), {
        "kind": "ceo", "frequency": "weekly", "day": "9", "hour": "8", "time_zone": "Europe/Paris", "roles": ["ceo"]})
    assert response.status_code == 200
    assert "A weekly report&#x27;s day is 1 (Monday) to 7 (Sunday)." in response.content.decode()


def test_a_member_of_another_company_cannot_be_a_recipient(acme, acme_ceo, mallory):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.schedule_save(by=acme_ceo, org=acme, kind="ceo", frequency="monthly", day=1, hour=8,
                               time_zone="Europe/Paris", roles=[], members=[mallory])


def test_a_preview_with_the_queue_down_is_marked_failed_not_a_500(acme, alice, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "enqueue", lambda task, *args: False)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_preview_request(member=alice, kind="cfo", frequency="monthly")
    report.refresh_from_db()
    assert report.status == SentReport.Status.FAILED and "unavailable" in report.error


def test_a_delivered_report_keeps_the_pdf_it_sent(acme, alice):
    kpis_with_history(acme)
    schedule = make_schedule(acme, roles=[Role.CFO])
    services.schedule_deliver(schedule=schedule, period=month_period(REPORT_MONTH))
    report = SentReport.objects.for_org(acme).get()
    with report.pdf.open("rb") as f:
        assert f.read() == mail.outbox[0].attachments[0][1]
