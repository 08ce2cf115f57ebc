"""Anonymous requests leave no session row behind (a crawler must not fill the session table), and the API's
schema and docs are for logged-in users only, in production as everywhere."""

import pytest
from django.contrib.sessions.models import Session

ANONYMOUS_PATHS = ["/", "/accounts/login/", "/api/schema/", "/api/docs/", "/api/v1/orgs/acme/kpis/",
                   "/o/acme/kpis/", "/no-such-page/"]


@pytest.mark.parametrize("path", ANONYMOUS_PATHS)
def test_an_anonymous_request_creates_no_session_row(client, acme, path):
    client.get(path)
    assert Session.objects.count() == 0


def test_a_logged_in_member_still_has_an_idle_timeout(client, alice):
    client.force_login(alice.user)
    client.get("/o/acme/kpis/")
    assert "last_activity" in client.session


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_the_docs_need_a_login(client, alice, path):
    assert client.get(path).status_code in (401, 403)  # 401 where an authentication scheme asks for credentials
    client.force_login(alice.user)
    assert client.get(path).status_code == 200
