"""The issue's test: a deliberately unscoped query inside tenant A's request, through the real middleware
and the API base, as the app role, gets only A's rows. As the owner (who bypasses RLS) the same probe
sees every tenant: the policy, not the ORM, is what filtered."""

import pytest

from tests.objectives.helpers import make_objective

pytestmark = [pytest.mark.services, pytest.mark.urls("tests.accounts.rls.probe_urls")]


@pytest.fixture
def objectives(acme, globex):
    make_objective(acme, title="Acme's")
    make_objective(globex, title="Globex's")


@pytest.mark.parametrize("path", ["/o/acme/rls-probe/", "/api/v1/orgs/acme/rls-probe/"])
def test_an_unscoped_query_in_acmes_request_returns_acmes_rows_only(client, alice, objectives, as_app_role, path):
    client.force_login(alice.user)
    with as_app_role():
        response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"org": "acme", "titles": ["Acme's"]}


def test_the_same_probe_as_the_owner_sees_every_tenant(client, alice, objectives, transactional_db):
    client.force_login(alice.user)
    assert client.get("/o/acme/rls-probe/").json()["titles"] == ["Acme's", "Globex's"]


def test_the_next_request_on_the_same_connection_starts_with_no_organization(client, alice, objectives,
                                                                             as_app_role):
    from django.db import connection

    client.force_login(alice.user)
    with as_app_role():
        assert client.get("/o/acme/rls-probe/").json()["titles"] == ["Acme's"]
        with connection.cursor() as cursor:  # the same persistent connection (CONN_MAX_AGE)
            cursor.execute("SELECT current_setting('app.current_org', true), count(*) FROM objectives_objective")
            assert cursor.fetchone() == ("", 0)
