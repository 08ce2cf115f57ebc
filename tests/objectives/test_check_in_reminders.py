from datetime import date, timedelta

from django.core import mail

from objectives.services import check_in_reminders_send
from tests.objectives.helpers import make_check_in, make_objective

TODAY = date(2026, 11, 16)


def test_owners_with_a_due_check_in_get_one_e_mail_listing_them(acme, alice, bob):
    make_objective(acme, owner=alice, title="Invoice 500 K€")
    make_objective(acme, owner=alice, title="Cash above 100 K€")
    fresh = make_objective(acme, owner=bob, title="Ship faster")
    make_check_in(fresh, on=TODAY - timedelta(days=2))
    assert check_in_reminders_send(today=TODAY) == 1
    [message] = mail.outbox
    assert message.to == [alice.user.email]
    assert "Invoice 500 K€" in message.body and "Cash above 100 K€" in message.body
    assert "2 check-ins due" in message.subject


def test_a_second_run_the_same_day_sends_nothing(acme, alice):
    make_objective(acme, owner=alice)
    check_in_reminders_send(today=TODAY)
    assert check_in_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1


def test_the_weekly_cadence_makes_a_check_in_due_again_after_seven_days(acme, alice):
    objective = make_objective(acme, owner=alice)
    make_check_in(objective, on=TODAY - timedelta(days=7))
    assert check_in_reminders_send(today=TODAY) == 1
