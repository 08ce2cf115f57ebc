from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.conftest import url
from tests.factories import PASSWORD


def _attempt(client, email, password, ip="198.51.100.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_from_that_address(client, alice):
    for _ in range(5):
        _attempt(client, alice.user.email, "wrong-password")

    response = _attempt(client, alice.user.email, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_block_the_same_user_from_another_address(client, alice):
    for _ in range(5):
        _attempt(client, alice.user.email, "wrong-password")

    response = _attempt(client, alice.user.email, PASSWORD, ip="198.51.100.99")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_the_lockout_ends_after_fifteen_minutes(client, alice):
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            _attempt(client, alice.user.email, "wrong-password")
    with freeze_time(start + timedelta(minutes=16)):
        assert _attempt(client, alice.user.email, PASSWORD).status_code == 302


def test_login_issues_a_new_session_key(client, alice):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    _attempt(client, alice.user.email, PASSWORD)

    assert client.session.session_key != before


def test_a_session_idle_for_thirty_minutes_ends(client, alice):
    start = timezone.now()
    with freeze_time(start):
        _attempt(client, alice.user.email, PASSWORD)
        assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 200
    with freeze_time(start + timedelta(minutes=29)):
        assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 200
    with freeze_time(start + timedelta(minutes=29 + 31)):
        response = client.get(url("accounts:org_home", org_slug="acme"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
