"""What every page costs before its own work: the signed-in user and their memberships, 2 queries.

The session is read from the cache (the database when the cache misses); the tenancy middleware, the MFA check
and the organization switcher read the same list of memberships, once per request, however many there are.
"""

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from tests.factories import make_member, make_org

pytestmark = pytest.mark.urls("tests.accounts.fixed_cost_urls")

EMPTY_PAGE = "/o/acme/empty-page/"


def _tables_read(client, path=EMPTY_PAGE) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response
    return [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in ctx.captured_queries]


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    client.get(EMPTY_PAGE)  # the first request records the session's activity (a write once a minute)
    return client


def test_a_page_with_nothing_of_its_own_reads_the_user_and_their_memberships_only(signed_in):
    assert _tables_read(signed_in) == ["accounts_user", "accounts_membership"]


def test_the_fixed_cost_does_not_grow_with_memberships_and_the_switcher_lists_them_all(signed_in, alice):
    before = _tables_read(signed_in)
    others = [make_org(name=f"Subsidiary {n}") for n in range(12)]
    for org in others:
        make_member(org, user=alice.user, role=Role.VIEWER)
    make_org(name="Somebody else's")  # organizations the user is not in change nothing either

    assert _tables_read(signed_in) == before
    html = signed_in.get(EMPTY_PAGE).content.decode()
    assert all(f"/o/{org.slug}/" in html for org in others)


def test_while_the_cache_misses_the_session_is_read_from_the_database(signed_in, monkeypatch):
    """Redis is a helper: unreachable, it answers misses (config.cache) and the page still knows who you are."""
    monkeypatch.setattr(caches["default"], "get", lambda key, default=None, version=None: default)
    assert _tables_read(signed_in) == ["django_session", "accounts_user", "accounts_membership"]


def test_a_logout_ends_the_session_its_cached_copy_included(signed_in, client):
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed

    response = client.get(EMPTY_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_ended_from_another_device_no_longer_signs_in(signed_in, alice):
    UserSession.objects.get(user=alice.user).end()

    response = signed_in.get(EMPTY_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_cached_copy_of_a_session_lives_at_most_session_cache_seconds(client, alice, monkeypatch):
    """It bounds how long a logout that could not reach Redis could be undone by Redis coming back."""
    timeouts = []
    cache = caches["default"]
    real_set = cache.set

    def spy(key, value, timeout=None, version=None):
        if key.startswith("django.contrib.sessions.cached_db"):
            timeouts.append(timeout)
        return real_set(key, value, timeout, version)

    monkeypatch.setattr(cache, "set", spy)
    client.force_login(alice.user)
    cache.clear()
    client.get(EMPTY_PAGE)  # a miss: read from the database, then cached

    assert timeouts and all(0 < t <= settings.SESSION_CACHE_SECONDS for t in timeouts)
    assert settings.SESSION_CACHE_SECONDS < settings.SESSION_COOKIE_AGE
