"""The sessions list (allauth usersessions) keeps each session's last activity, IP and browser, written at most
once a minute per session: a page's requests do not rewrite it each time; a new IP or browser is seen at once."""

from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from tests.conftest import url


def _writes_to_user_sessions(client, path, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, **extra).status_code == 200
    return sum(1 for q in ctx.captured_queries
               if "usersessions_usersession" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_a_session_is_recorded_once_then_not_rewritten_within_the_minute(client, alice):
    page = url("kpis:catalogue", org_slug="acme")
    start = timezone.now()
    with freeze_time(start):
        client.force_login(alice.user)
        client.get(page)
        assert UserSession.objects.filter(user=alice.user).count() == 1
        assert _writes_to_user_sessions(client, page) == 0
    with freeze_time(start + timedelta(seconds=30)):
        assert _writes_to_user_sessions(client, page) == 0
    with freeze_time(start + timedelta(seconds=90)):
        assert _writes_to_user_sessions(client, page) == 1
        assert UserSession.objects.get(user=alice.user).last_seen_at >= start + timedelta(seconds=90)


def test_a_new_browser_on_the_same_session_is_recorded_at_once(client, alice):
    page = url("kpis:catalogue", org_slug="acme")
    client.force_login(alice.user)
    client.get(page, HTTP_USER_AGENT="Firefox")
    assert _writes_to_user_sessions(client, page, HTTP_USER_AGENT="Chromium") == 1
    assert UserSession.objects.get(user=alice.user).user_agent == "Chromium"
