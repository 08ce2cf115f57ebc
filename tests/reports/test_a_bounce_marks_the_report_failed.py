"""An SMTP refusal or a provider's error marks that one report failed, with the reason; the run goes on."""

import smtplib

import pytest
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from accounts.capabilities import Role
from reports import services
from reports.models import SentReport
from reports.schedule import month_period
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule


class RefusingBackend(EmailBackend):
    """locmem, except that the SMTP server refuses bounce@… and the provider's API fails for down@…."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("bounce@"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 User unknown")})
            if message.to[0].startswith("down@"):
                raise AnymailAPIError("ESP API response 503")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _refusing(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.reports.test_a_bounce_marks_the_report_failed.RefusingBackend"
    monkeypatch.setattr("reports.rendering.pdf_from_html", lambda html: b"%PDF-1.4 stub")


def test_a_refused_recipient_is_failed_and_the_others_are_sent(acme, alice):
    kpis_with_history(acme)
    make_member(acme, role=Role.CFO, email="bounce@acme.test")
    make_member(acme, role=Role.CFO, email="down@acme.test")
    sent = services.schedule_deliver(schedule=make_schedule(acme, roles=[Role.CFO]), period=month_period(REPORT_MONTH))
    assert sent == 1
    assert [m.to for m in mail.outbox] == [[alice.user.email]]
    status = {r.recipient_email: (r.status, r.error) for r in SentReport.objects.for_org(acme)}
    assert status[alice.user.email] == ("sent", "")
    assert status["bounce@acme.test"][0] == "failed" and "User unknown" in status["bounce@acme.test"][1]
    assert status["down@acme.test"][0] == "failed" and "503" in status["down@acme.test"][1]


def test_a_failed_report_is_not_sent_again_by_the_next_beat(acme):
    kpis_with_history(acme)
    make_member(acme, role=Role.CFO, email="bounce@acme.test")
    schedule = make_schedule(acme, roles=[Role.CFO])
    for _ in range(2):
        services.schedule_deliver(schedule=schedule, period=month_period(REPORT_MONTH))
    assert SentReport.objects.for_org(acme).count() == 1
