"""QUALITY.md tests 2 and 3, in raw SQL as the app role: no organization → no row; organization A → A's
rows only; writing B's row from A's context is refused; the setting dies with its transaction."""

import psycopg
import pytest

from objectives.models import Objective
from tests.accounts.rls.conftest import APP_ROLE, count_visible, tenant_tables
from tests.objectives.helpers import make_objective

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_tenants(acme, globex, alice, mallory):
    make_objective(acme, title="Acme's")
    make_objective(globex, title="Globex's")
    return acme, globex


def set_org(cursor, org_id) -> None:
    cursor.execute("SELECT set_config('app.current_org', %s, true)", [str(org_id)])


def test_the_app_role_is_neither_superuser_nor_bypassing_rls_and_owns_nothing(app_sql):
    with app_sql.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
                       [APP_ROLE])
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
                       [APP_ROLE])
        assert cursor.fetchone()[0] == 0


def test_without_an_organization_every_tenant_table_shows_no_row(two_tenants, app_sql):
    with app_sql.cursor() as cursor:
        assert {t: count_visible(cursor, t) for t in tenant_tables()} == {t: 0 for t in tenant_tables()}


def test_in_acmes_context_no_row_of_another_organization_is_visible(two_tenants, app_sql):
    acme, _globex = two_tenants
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
        for table in tenant_tables():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE organization_id <> %s', [acme.pk])
            assert cursor.fetchone()[0] == 0, table
        cursor.execute('SELECT title FROM "objectives_objective"')
        assert [row[0] for row in cursor.fetchall()] == ["Acme's"]


def test_writing_another_organizations_row_from_acmes_context_is_refused(two_tenants, app_sql):
    acme, globex = two_tenants
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            cursor.execute(
                "INSERT INTO accounts_auditevent (organization_id, action, target_type, target_id, target_repr,"
                " data, created_at) VALUES (%s, 'forged', '', '', '', '{}', now())", [globex.pk])
    app_sql.rollback()


def test_moving_a_row_to_another_organization_is_refused(two_tenants, app_sql):
    acme, globex = two_tenants
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute('UPDATE "objectives_objective" SET organization_id = %s', [globex.pk])
    app_sql.rollback()


def test_updates_and_deletes_from_acmes_context_leave_other_rows_alone(two_tenants, app_sql):
    acme, globex = two_tenants
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
        cursor.execute('UPDATE "objectives_objective" SET title = %s', ["renamed"])
        assert cursor.rowcount == 1
        cursor.execute('DELETE FROM "objectives_objective"')
        assert cursor.rowcount == 1
    app_sql.rollback()
    assert Objective.objects.for_org(globex).get().title == "Globex's"


def test_the_organization_does_not_outlive_its_transaction_on_the_same_connection(two_tenants, app_sql):
    acme, _globex = two_tenants
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
        assert count_visible(cursor, "objectives_objective") == 1
    app_sql.commit()
    with app_sql.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_org', true)")
        assert cursor.fetchone()[0] == ""  # '' and not NULL: the policies' NULLIF keeps this from raising
        assert count_visible(cursor, "objectives_objective") == 0
    app_sql.rollback()
    with app_sql.cursor() as cursor:
        set_org(cursor, acme.pk)
    app_sql.rollback()
    with app_sql.cursor() as cursor:
        assert count_visible(cursor, "objectives_objective") == 0
