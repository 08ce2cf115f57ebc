"""Alert e-mails go to the subscribed members who may see the figure, as each chose (immediately, daily
digest, off), in their language, with an unsubscribe link that works without logging in."""

from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from accounts.capabilities import Role
from alerts.models import AlertEvent, AlertPreference
from alerts.notifications import alert_digests_send, unsubscribe_url
from alerts.services import alert_preference_set
from tests.alerts.helpers import NOW, TODAY, evaluate
from tests.alerts.scenarios import budget_overrun, late_payment
from tests.factories import make_member


@pytest.fixture
def evaluate_and_send(django_capture_on_commit_callbacks):
    def run(org):
        with django_capture_on_commit_callbacks(execute=True):
            return evaluate(org)
    return run


def _to(message) -> str:
    return message.to[0]


def test_subscribers_who_chose_immediately_get_one_email_each_in_their_language(acme, alice, bob, acme_ceo,
                                                                                 evaluate_and_send, monkeypatch):
    late_payment(acme, monkeypatch)  # notifies the CEO and the CFO
    alert_preference_set(membership=acme_ceo, delivery="immediate", language="fr")

    evaluate_and_send(acme)
    evaluate_and_send(acme)

    by_recipient = {_to(m): m for m in mail.outbox}
    assert set(by_recipient) == {alice.user.email, acme_ceo.user.email}  # bob, the COO, is not subscribed
    english, french = by_recipient[alice.user.email], by_recipient[acme_ceo.user.email]
    assert english.subject == ("[Acme] Critical: Grossiste Dupont owes €4,800 on 1 invoice unpaid 75 days after "
                               "its due date.")
    assert "F-2026-101" in english.body and "Stop these e-mails:" in english.body
    assert french.subject.startswith("[Acme] Critique\u202f: Grossiste Dupont doit")
    assert "Ne plus recevoir ces e-mails" in french.body
    assert english.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(alice)}>"


def test_digest_members_get_one_email_a_day_and_off_members_none(acme, alice, acme_ceo, evaluate_and_send,
                                                                  monkeypatch):
    late_payment(acme, monkeypatch)
    alert_preference_set(membership=alice, delivery="digest", language="en")
    alert_preference_set(membership=acme_ceo, delivery="off", language="en")

    evaluate_and_send(acme)
    assert mail.outbox == []

    assert alert_digests_send(today=TODAY, now=NOW) == 1
    assert alert_digests_send(today=TODAY, now=NOW) == 0  # a second beat the same day sends nothing
    [digest] = mail.outbox
    assert _to(digest) == alice.user.email and digest.subject == "[Acme] 1 new alert today"
    assert "Grossiste Dupont owes" in digest.body


def test_nobody_is_emailed_a_figure_their_role_may_not_see(acme, alice, evaluate_and_send, monkeypatch):
    admin = make_member(acme, role=Role.ADMIN)
    budget_overrun(acme, monkeypatch)
    from alerts.models import AlertRule
    AlertRule.objects.for_org(acme).update(subscriber_roles=[Role.CFO, Role.ADMIN])

    evaluate_and_send(acme)

    assert [_to(m) for m in mail.outbox] == [alice.user.email]
    assert admin.user.email not in {_to(m) for m in mail.outbox}


def test_a_refused_recipient_is_logged_and_the_others_still_get_theirs(acme, alice, acme_ceo, evaluate_and_send,
                                                                      monkeypatch):
    late_payment(acme, monkeypatch)
    send = EmailMessage.send

    def bouncing_send(self, fail_silently=False):
        if self.to == [acme_ceo.user.email]:
            raise SMTPRecipientsRefused({acme_ceo.user.email: (550, b"mailbox unavailable")})
        return send(self, fail_silently)
    monkeypatch.setattr(EmailMessage, "send", bouncing_send)

    evaluate_and_send(acme)

    assert [_to(m) for m in mail.outbox] == [alice.user.email]
    assert AlertEvent.objects.for_org(acme).filter(action="notify_failed").count() == 1


def test_the_unsubscribe_link_needs_no_login_and_switches_emails_off(client, acme, alice):
    url = unsubscribe_url(alice).removeprefix("http://127.0.0.1:8000")

    assert client.get(url).status_code == 200
    assert not AlertPreference.objects.for_org(acme).exists()  # a GET changes nothing
    response = client.post(url)

    assert response.status_code == 200 and b"unsubscribed" in response.content
    assert AlertPreference.objects.for_org(acme).get(membership=alice).delivery == "off"


def test_a_tampered_unsubscribe_link_is_a_404(client, alice):
    url = unsubscribe_url(alice).removeprefix("http://127.0.0.1:8000")
    assert client.post(url.replace("/alerts/unsubscribe/", "/alerts/unsubscribe/x")).status_code == 404
