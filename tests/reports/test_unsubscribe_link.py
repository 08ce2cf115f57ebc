"""Every scheduled report's e-mail carries a signed unsubscribe link (the mechanism alerts use): no login, GET
asks, POST stops that schedule for that recipient only, RFC 8058 one-click headers; a tampered token is a 404."""

import pytest
from django.core import mail

from accounts.capabilities import Role
from alerts.notifications import recipient_token, unsubscribe_url as alert_unsubscribe_url
from reports import services
from reports.models import SentReport
from reports.schedule import month_period
from reports.selectors import recipients_of
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    monkeypatch.setattr("reports.rendering.pdf_from_html", lambda html: b"%PDF-1.4 stub")


@pytest.fixture
def scheduled(acme, alice, acme_ceo):
    kpis_with_history(acme)
    return make_schedule(acme, roles=[Role.CFO], members=[acme_ceo])


def _link(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    return header[1:-1]


def test_each_e_mail_carries_its_recipients_own_link_in_the_body_and_the_headers(scheduled, alice, acme_ceo):
    services.schedule_deliver(schedule=scheduled, period=month_period(REPORT_MONTH))
    links = {}
    for message in mail.outbox:
        link = _link(message)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and link in message.alternatives[0][0]
        assert link == services.unsubscribe_url(
            alice if message.to == [alice.user.email] else acme_ceo, scheduled)
        links[message.to[0]] = link
    assert len(set(links.values())) == 2


def test_get_asks_and_post_stops_that_schedule_for_that_recipient_only(client, scheduled, alice, acme_ceo):
    url = services.unsubscribe_url(alice, scheduled).removeprefix(SITE)
    response = client.get(url)  # no login
    assert response.status_code == 200 and b"Stop this report?" in response.content
    assert alice in recipients_of(scheduled)  # a GET (a link scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    scheduled.refresh_from_db()
    # Alice holds the CFO role the schedule names: she is still left out, and the CEO still gets it.
    assert [m.user.email for m in recipients_of(scheduled)] == [acme_ceo.user.email]
    services.schedule_deliver(schedule=scheduled, period=month_period(REPORT_MONTH))
    assert [m.to for m in mail.outbox] == [[acme_ceo.user.email]]


def test_unsubscribing_from_one_schedule_leaves_the_others(client, acme, scheduled, alice):
    other = make_schedule(acme, kind="ceo", roles=[Role.CFO])
    client.post(services.unsubscribe_url(alice, scheduled).removeprefix(SITE))
    scheduled.refresh_from_db()
    assert alice in recipients_of(other) and alice not in recipients_of(scheduled)


def test_a_named_member_is_taken_off_the_schedule(client, scheduled, acme_ceo):
    client.post(services.unsubscribe_url(acme_ceo, scheduled).removeprefix(SITE))
    assert list(scheduled.members.all()) == []


def test_a_tampered_token_or_an_alert_token_unsubscribes_nobody(client, scheduled, alice, acme_ceo):
    url = services.unsubscribe_url(alice, scheduled).removeprefix(SITE)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    forged = token.replace(token.split(":")[0], recipient_token(acme_ceo, scope="reports", target=scheduled.pk)
                           .split(":")[0])  # the CEO's payload under Alice's signature
    alert_token = alert_unsubscribe_url(acme_ceo).rstrip("/").rsplit("/", 1)[-1]
    for bad in (forged, token + "x", alert_token):
        assert client.post(f"/reports/unsubscribe/{bad}/").status_code == 404
    assert {m.pk for m in recipients_of(scheduled)} == {alice.pk, acme_ceo.pk}


def test_a_token_names_its_own_tenant(client, scheduled, alice, globex):
    mallory = make_member(globex, role=Role.CFO, email="m@globex.test")
    theirs = make_schedule(globex, roles=[Role.CFO])
    # A Globex member's token for an Acme schedule (never issued, but signed): the schedule is not found there.
    forged = recipient_token(mallory, scope="reports", target=scheduled.pk)
    assert client.post(f"/reports/unsubscribe/{forged}/").status_code == 404
    assert alice in recipients_of(scheduled) and mallory in recipients_of(theirs)


def test_a_preview_has_no_unsubscribe_link(acme, alice, django_capture_on_commit_callbacks):
    kpis_with_history(acme)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_preview_request(member=alice, kind="cfo", frequency="monthly")
    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert SentReport.objects.for_org(acme).get().is_preview
