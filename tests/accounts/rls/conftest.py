"""The app role, for the row-level security tests (PostgreSQL only; CI runs them as `services`).

The suite connects as the owner (a superuser, who bypasses RLS); these tests create the
least-privileged app role in the test database and read through it, either with a second raw
connection (`app_sql`) or by switching Django's own connection to it (`as_app_role`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from accounts import rls

# A role belongs to the whole PostgreSQL cluster: each pytest-xdist worker creates its own.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
APP_ROLE = f"pilotage_app_test_{_XDIST_WORKER}" if _XDIST_WORKER else "pilotage_app_test"
APP_PASSWORD = "pilotage-app-test-only"


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker) -> dict:
    """Connection parameters of the app role, created with least privilege in the test database."""
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", "row-level security needs PostgreSQL"
        rls.app_role_create(name=APP_ROLE, password=APP_PASSWORD)
        params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(user=APP_ROLE, password=APP_PASSWORD)
    return params


@pytest.fixture
def app_sql(app_role):
    """A raw connection as the app role (not autocommit: each test decides where transactions end)."""
    conn = psycopg.connect(**{k: app_role[k] for k in ("dbname", "user", "password", "host", "port")
                              if app_role.get(k)})
    yield conn
    conn.close()


def count_visible(cursor, table: str) -> int:
    cursor.execute(f'SELECT count(*) FROM "{table}"')
    return cursor.fetchone()[0]


def tenant_tables() -> list[str]:
    return sorted(m._meta.db_table for m in rls.tenant_models())


@pytest.fixture
def as_app_role(transactional_db, app_role):
    """`with as_app_role():` Django's own connection logs in as the app role inside the block (the
    rows made before it are committed, as the owner), then as the owner again."""

    @contextmanager
    def connected():
        connection.close()
        saved = {k: connection.settings_dict[k] for k in ("USER", "PASSWORD")}
        connection.settings_dict.update(USER=APP_ROLE, PASSWORD=APP_PASSWORD)
        try:
            yield
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                assert cursor.fetchone()[0] == APP_ROLE
        finally:
            connection.close()
            connection.settings_dict.update(saved)

    return connected
