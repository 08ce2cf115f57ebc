"""A report failed for a temporary reason (SMTP 4xx, connection error, provider error) is tried again by later
beats after 15 min, 1 h and 4 h, still once on success (claimed by a conditional update); a permanent refusal
(SMTP 5xx) is not retried. The archive shows the attempts and the reason."""

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from freezegun import freeze_time

from accounts.capabilities import Role
from reports import services
from reports.models import SentReport
from reports.tasks import report_retry_task, reports_send_due_task
from tests.conftest import url
from tests.reports.helpers import kpis_with_history, make_schedule

PARIS = ZoneInfo("Europe/Paris")
DUE = datetime(2026, 11, 3, 8, 0, tzinfo=PARIS)  # the schedule's moment: October's report


class FlakyBackend(EmailBackend):
    """locmem, failing the next `failures` messages with `error` (the test sets both)."""

    failures = 0
    error: Exception = OSError("connection refused")

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise FlakyBackend.error
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _flaky(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.reports.test_failed_reports_are_retried.FlakyBackend"
    monkeypatch.setattr("reports.rendering.pdf_from_html", lambda html: b"%PDF-1.4 stub")
    yield
    FlakyBackend.failures = 0


@pytest.fixture
def scheduled(acme, alice):
    kpis_with_history(acme)
    return make_schedule(acme, kind="cfo", day=3, hour=8, roles=[Role.CFO])


def _fail_next(count: int, error: Exception) -> None:
    FlakyBackend.failures, FlakyBackend.error = count, error


def _beat(at: datetime) -> None:
    with freeze_time(at):
        reports_send_due_task()


def _report(org) -> SentReport:
    return SentReport.objects.for_org(org).get()


@pytest.mark.parametrize("error", [
    smtplib.SMTPRecipientsRefused({"alice@acme.test": (451, b"4.7.1 Try again later")}),
    smtplib.SMTPDataError(421, b"Service not available"),
    smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    OSError("Connection refused"),
    AnymailAPIError("ESP API response 503"),
], ids=["smtp-451", "smtp-421", "disconnected", "connection", "provider"])
def test_a_temporary_failure_is_sent_by_the_beat_after_15_minutes(acme, scheduled, error):
    _fail_next(1, error)
    _beat(DUE)
    report = _report(acme)
    assert (report.status, report.attempts) == ("failed", 1)
    assert report.next_attempt_at == DUE + timedelta(minutes=15)
    _beat(DUE + timedelta(minutes=14))
    assert mail.outbox == [] and _report(acme).status == "failed"
    _beat(DUE + timedelta(minutes=15))
    report = _report(acme)
    assert (report.status, report.attempts, report.next_attempt_at, report.error) == ("sent", 2, None, "")
    assert len(mail.outbox) == 1
    _beat(DUE + timedelta(hours=6))
    assert len(mail.outbox) == 1


def test_the_back_off_is_15_minutes_1_hour_4_hours_then_it_gives_up(acme, scheduled):
    _fail_next(10, OSError("Connection refused"))
    _beat(DUE)
    moment = DUE
    for attempt, delay in [(1, timedelta(minutes=15)), (2, timedelta(hours=1)), (3, timedelta(hours=4))]:
        report = _report(acme)
        assert (report.attempts, report.next_attempt_at) == (attempt, moment + delay)
        moment += delay
        _beat(moment)
    report = _report(acme)
    assert (report.status, report.attempts, report.next_attempt_at) == ("failed", 4, None)
    _beat(moment + timedelta(days=1))
    assert _report(acme).attempts == 4 and mail.outbox == []


@pytest.mark.parametrize("error", [
    smtplib.SMTPRecipientsRefused({"alice@acme.test": (550, b"5.1.1 User unknown")}),
    smtplib.SMTPDataError(554, b"Message refused"),
], ids=["smtp-550", "smtp-554"])
def test_a_permanent_refusal_is_not_retried(acme, scheduled, error):
    _fail_next(1, error)
    _beat(DUE)
    assert _report(acme).next_attempt_at is None
    _beat(DUE + timedelta(hours=1))
    report = _report(acme)
    assert (report.status, report.attempts) == ("failed", 1) and mail.outbox == []


def test_two_beats_or_a_redelivered_task_send_a_retry_once(acme, scheduled):
    _fail_next(1, OSError("Connection refused"))
    _beat(DUE)
    report_id = _report(acme).pk
    with freeze_time(DUE + timedelta(minutes=20)):
        reports_send_due_task()
        reports_send_due_task()
        report_retry_task(report_id)
    assert len(mail.outbox) == 1
    assert (_report(acme).status, _report(acme).attempts) == ("sent", 2)


def test_a_paused_schedule_is_not_retried(acme, scheduled):
    _fail_next(1, OSError("Connection refused"))
    _beat(DUE)
    scheduled.is_enabled = False
    scheduled.save(update_fields=["is_enabled"])
    report_id = _report(acme).pk
    with freeze_time(DUE + timedelta(minutes=20)):
        services.report_retry(org=acme, report_id=report_id)
    assert mail.outbox == [] and _report(acme).status == "failed"


def test_the_archive_shows_the_attempts_and_the_reason(client, acme, alice, scheduled):
    _fail_next(1, OSError("Connection refused"))
    _beat(DUE)
    client.force_login(alice.user)
    with freeze_time(DUE + timedelta(minutes=1)):
        response = client.get(url("reports:archive", org_slug="acme"))
    body = response.content.decode()
    assert "Connection refused" in body and 'data-testid="retry"' in body
    assert "<td>1</td>" in body
