"""Tenant isolation enforced by PostgreSQL row-level security, under the ORM scoping.

Every table of a model inheriting `OrgOwned` gets RLS enabled and forced and one policy,
`tenant_isolation`, on the transaction's organization (`app.current_org`). The policies are
generated from the models after every `migrate` (`policies_apply`, idempotent), so a new tenant
model is covered without anyone remembering. On SQLite none of this exists: the ORM scoping
(`for_org`) is the only barrier there.

Who sets the organization:
- a request: `OrganizationMiddleware` runs the request in one transaction and sets it, transaction-
  local, once the organization of the URL is resolved (and the user, for the user's own memberships);
- a task: `org_context` / `tenant_task` set it for the task (see `org_context`);
- a cross-tenant page (a consultancy acting on a client): `org_context(client)` around that work.

The app connects as a role that owns nothing and has neither SUPERUSER nor BYPASSRLS
(`manage.py db_app_role`); migrations, the demo and repairs run as the owner, which bypasses RLS.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TypeVar

from django.apps import apps
from django.db import DatabaseError, connection, transaction

T = TypeVar("T")

ORG_SETTING = "app.current_org"
USER_SETTING = "app.current_user"
INVITATION_SETTING = "app.invitation_token"
API_KEY_SETTING = "app.api_key_prefix"
CLIENTS_SETTING = "app.clients_read"
POLICY_NAME = "tenant_isolation"


def _setting(name: str, cast: str) -> str:
    # After a transaction that set it, the same connection reads '' (not NULL): NULLIF keeps the
    # cast from raising, and a missing organization matches no row (fail closed).
    return f"NULLIF(current_setting('{name}', true), ''){cast}"


CURRENT_ORG = _setting(ORG_SETTING, "::bigint")
CURRENT_USER = _setting(USER_SETTING, "::bigint")

_FIRM_CHILDREN = ("parent_id IS NOT NULL AND organization_id IN (SELECT e.organization_id FROM accounts_engagement e"
                  f" WHERE e.consultancy_id = {CURRENT_ORG})")

# A consultancy's pages that read across its clients (portfolio, inbox, benchmarks, consolidation) name
# the clients they read (`clients_read_context`); of those, a row shows only in a company where the
# signed-in user holds a membership through an engagement of the current organization. A holding's
# consolidated page names the companies of its group the same way; of those, a row shows only in a
# company where the signed-in user holds a membership and which approved a group the current
# organization holds and declared itself. Reads only: nothing is written through it (no WITH CHECK), and
# any other page names no company.
_SERVED_CLIENTS = (
    f"organization_id = ANY(string_to_array(NULLIF(current_setting('{CLIENTS_SETTING}', true), ''), ',')::bigint[])"
    " AND (organization_id IN (SELECT m.organization_id FROM accounts_membership m"
    " JOIN accounts_engagement e ON e.id = m.engagement_id"
    f" WHERE m.user_id = {CURRENT_USER} AND e.consultancy_id = {CURRENT_ORG})"
    " OR (organization_id IN (SELECT m.organization_id FROM accounts_membership m"
    f" WHERE m.user_id = {CURRENT_USER})"
    " AND organization_id IN (SELECT cm.organization_id FROM portfolio_consolidationmember cm"
    " JOIN portfolio_consolidation c ON c.id = cm.consolidation_id"
    f" WHERE cm.declared_by_id = {CURRENT_ORG} AND c.holding_id = {CURRENT_ORG} AND cm.approved_at IS NOT NULL)))"
)
# The tables those pages read, as model labels.
READ_ACROSS_SERVED_CLIENTS = {
    "kpis.kpi", "kpis.metric", "kpis.kpivalue", "kpis.kpitarget", "kpis.kpiforecast",
    "objectives.objective", "objectives.keyresult", "objectives.actionplan", "objectives.checkin",
    "integrations.connection", "integrations.syncrun", "integrations.rejectedrecord", "imports.importrun",
    "integrations.customer", "integrations.supplier", "integrations.invoice", "portfolio.intercompanyparty",
    "alerts.alert",
}

# The reviewed exceptions: what a tenant table shows beyond the current organization's rows, and why.
# (model label → (extra USING clause, extra WITH CHECK clause or None)).
EXTRA_VISIBILITY: dict[str, tuple[str, str | None]] = {
    # The middleware finds the user's membership before it knows the organization, and the org
    # switcher lists them on every page: a user sees their own memberships in every organization.
    "accounts.membership": (f"user_id = {CURRENT_USER}", None),
    # The consultancy's portfolio lists the engagements it made on its clients (it writes them only
    # from inside the client's context: engagement_create, _change_role, _end).
    "accounts.engagement": (f"consultancy_id = {CURRENT_ORG}", None),
    # The public invitation link knows only the token (a secret): that one row is readable.
    "accounts.invitation": (f"token = NULLIF(current_setting('{INVITATION_SETTING}', true), '')", None),
    # A machine's request names its key's prefix before any organization is known: that one key is readable.
    "accounts.apikey": (f"prefix = NULLIF(current_setting('{API_KEY_SETTING}', true), '')", None),
    # A consultancy's firm connection feeds connections in its engaged clients' tenants: it lists,
    # pauses and resumes them; and a client's child connection reads its firm's row (the token it borrows).
    "integrations.connection": (f"({_FIRM_CHILDREN}) OR id IN (SELECT pilotage_firm_parents_of({CURRENT_ORG}))",
                                _FIRM_CHILDREN),
    # A company's consent to a consolidation is its own row; the consultancy that declared it reads it
    # (it writes it only from inside the company's context: consolidation_declare).
    "portfolio.consolidationmember": (f"declared_by_id = {CURRENT_ORG}", None),
    # A company asked to join a consolidation reads that consolidation's row (its name, its holding) to decide.
    "portfolio.consolidation": (
        f"id IN (SELECT cm.consolidation_id FROM portfolio_consolidationmember cm WHERE cm.organization_id = {CURRENT_ORG})",
        None),
}


def applies(conn=None) -> bool:
    """Whether this database enforces the policies (PostgreSQL); SQLite keeps the ORM scoping alone."""
    return (conn or connection).vendor == "postgresql"


def tenant_models() -> list:
    """Every concrete model whose rows belong to one organization."""
    from accounts.models import OrgOwned

    return [m for m in apps.get_models() if issubclass(m, OrgOwned) and not m._meta.proxy
            and m._meta.managed]


def _policy_clauses(model) -> tuple[str, str]:
    using = f"organization_id = {CURRENT_ORG}"
    check = using
    extra_using, extra_check = EXTRA_VISIBILITY.get(model._meta.label_lower, (None, None))
    if model._meta.label_lower in READ_ACROSS_SERVED_CLIENTS:
        extra_using = f"({extra_using}) OR ({_SERVED_CLIENTS})" if extra_using else _SERVED_CLIENTS
    if extra_using:
        using = f"({using}) OR ({extra_using})"
    if extra_check:
        check = f"({check}) OR ({extra_check})"
    return using, check


def policy_fingerprint(model) -> str:
    """Names the policy's text, kept as the policy's comment: `migrate` leaves an unchanged policy alone."""
    return "pilotage:" + hashlib.sha256("\n".join(_policy_clauses(model)).encode()).hexdigest()[:16]


def policy_sql(model) -> list[str]:
    """The statements that put `model`'s table under its tenant policy (safe to run again)."""
    table = connection.ops.quote_name(model._meta.db_table)
    using, check = _policy_clauses(model)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"CREATE POLICY {POLICY_NAME} ON {table} USING ({using}) WITH CHECK ({check})",
        f"COMMENT ON POLICY {POLICY_NAME} ON {table} IS '{policy_fingerprint(model)}'",
    ]


_IN_PLACE = """
SELECT c.relname, d.description FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s
LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass
WHERE c.relrowsecurity AND c.relforcerowsecurity
"""


# The narrow ways across tenants, as functions that run as their owner (who bypasses RLS). Each
# returns identifiers only, never a row's content, and the caller then works in that row's tenant.
FUNCTIONS = [
    # Which organization a tenant row belongs to, for a task that received only the row's id.
    """
CREATE OR REPLACE FUNCTION pilotage_org_of(tbl regclass, row_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE org bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = tbl AND polname = 'tenant_isolation') THEN
    RAISE EXCEPTION 'not a tenant table: %', tbl;
  END IF;
  EXECUTE format('SELECT organization_id FROM %s WHERE id = $1', tbl) INTO org USING row_id;
  RETURN org;
END $$""",
    # The firm connections that feed this organization's connections (a child syncs with its firm's token).
    """
CREATE OR REPLACE FUNCTION pilotage_firm_parents_of(org bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT DISTINCT parent_id FROM integrations_connection WHERE organization_id = org AND parent_id IS NOT NULL
$$""",
    # The connections to these HubSpot hubs, with their organizations (a webhook names a hub, not a tenant).
    """
CREATE OR REPLACE FUNCTION pilotage_hubspot_connections(hub_ids text[]) RETURNS TABLE (id bigint, org bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT id, organization_id FROM integrations_connection
  WHERE provider = 'hubspot' AND provider_account_id = ANY(hub_ids)
$$""",
]


def policies_apply(*, using: str = "default", **_kwargs) -> None:
    """Enable, force and (re)create the tenant policy of every tenant table; runs after each migrate."""
    from django.db import connections

    conn = connections[using]
    if not applies(conn):
        return
    with transaction.atomic(using=using), conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        if "integrations_connection" in existing:
            for function in FUNCTIONS:
                cursor.execute(function)
        cursor.execute(_IN_PLACE, [POLICY_NAME])
        in_place = dict(cursor.fetchall())
        for model in tenant_models():
            table = model._meta.db_table
            if table in existing and in_place.get(table) != policy_fingerprint(model):
                for statement in policy_sql(model):
                    cursor.execute(statement)


def _raw(sql: str, params: list) -> str:
    # Like the time zone Django sets on each new connection, the context is connection state rather
    # than an application query: it goes through the driver directly, so the query budgets of pages
    # (django_assert_max_num_queries) measure the same on PostgreSQL and SQLite. Same transaction.
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection.connection.execute(sql, params).fetchone()[0]


def _set(name: str, value: object, *, local: bool) -> None:
    _raw("SELECT set_config(%s, %s, %s)", [name, "" if value is None else str(value), local])


def _get(name: str) -> str:
    return _raw("SELECT current_setting(%s, true)", [name]) or ""


def request_user_set(user_id: int | None) -> None:
    """The signed-in user, for the transaction (their own memberships are readable everywhere)."""
    if applies() and connection.in_atomic_block:
        _set(USER_SETTING, user_id, local=True)


def request_org_set(org_id: int | None) -> None:
    """The organization of the URL, for the rest of the request's transaction."""
    if applies() and connection.in_atomic_block:
        _set(ORG_SETTING, org_id, local=True)


@contextmanager
def org_context(org) -> Iterator[None]:
    """Run the block as `org` (an Organization or its id), then restore what was there.

    Inside a transaction the setting is transaction-local, so nothing outlives the transaction.
    Outside one (a Celery task whose service commits page by page), it is set on the session for
    the block and reset to nothing after it, even on error; a worker must therefore not share its
    connections through a transaction-pooling PgBouncer.
    """
    if not applies():
        yield
        return
    org_id = getattr(org, "pk", org)
    local = connection.in_atomic_block
    previous = _get(ORG_SETTING)  # a task started from another task's on_commit gives the outer one back
    _set(ORG_SETTING, org_id, local=local)
    try:
        yield
    finally:
        if local:
            try:
                _set(ORG_SETTING, previous, local=True)
            except DatabaseError:
                pass  # the transaction failed and will be rolled back, setting included
        elif connection.connection is not None and not connection.is_usable():
            connection.close()  # a broken connection is dropped, never reused with its setting
        else:
            _set(ORG_SETTING, previous, local=False)


@contextmanager
def clients_read_context(org_ids) -> Iterator[None]:
    """Let the block read these companies' rows in one query per table (READ_ACROSS_SERVED_CLIENTS): from
    a consultancy's request, the clients the signed-in user serves through its engagements; from a
    holding's request, the companies of the groups it declared that approved and where the user holds a
    membership."""
    if not applies():
        yield
        return
    value = ",".join(str(int(pk)) for pk in sorted(set(org_ids)))
    with transaction.atomic():
        _set(CLIENTS_SETTING, value, local=True)
        try:
            yield
        finally:
            try:
                _set(CLIENTS_SETTING, "", local=True)
            except DatabaseError:
                pass  # the transaction failed and will be rolled back, setting included


@contextmanager
def invitation_token_context(token: str) -> Iterator[None]:
    """The invitation link's token, so that its one invitation row is readable."""
    with _secret_context(INVITATION_SETTING, token):
        yield


@contextmanager
def api_key_prefix_context(prefix: str) -> Iterator[None]:
    """An API key's prefix, so that its one key row is readable (the key then names its organization)."""
    with _secret_context(API_KEY_SETTING, prefix):
        yield


@contextmanager
def _secret_context(setting: str, value: str) -> Iterator[None]:
    if not applies():
        yield
        return
    with transaction.atomic():
        _set(setting, value, local=True)
        yield


def org_of(model, pk: int) -> int | None:
    """The organization of the tenant row `pk` of `model`, whatever the current organization."""
    if not applies():
        row = model._base_manager.filter(pk=pk).values_list("organization_id", flat=True).first()
        return row
    with connection.cursor() as cursor:
        cursor.execute("SELECT pilotage_org_of(%s::regclass, %s)", [model._meta.db_table, pk])
        return cursor.fetchone()[0]


def hubspot_connections(hub_ids: set[str]) -> list[tuple[int, int]]:
    """(connection id, organization id) of the HubSpot connections to these hubs, across tenants."""
    from integrations.models import Connection

    if not applies():
        return list(Connection.objects.filter(  # scoped: ids only; the caller works in each row's tenant
            provider="hubspot", provider_account_id__in=hub_ids).values_list("pk", "organization_id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, org FROM pilotage_hubspot_connections(%s)", [sorted(hub_ids)])
        return [tuple(row) for row in cursor.fetchall()]


def tenant_task(*, arg: str, model=None):
    """Decorates a Celery task body so that it runs in its organization's context.

    `arg` names the task's argument that is the organization's id, or, with `model`, the id of a row
    of that tenant model, whose organization is looked up (`org_of`).
    """

    def decorate(func):
        signature = inspect.signature(func)

        @wraps(func)
        def wrapper(*args, **kwargs):
            value = signature.bind(*args, **kwargs).arguments.get(arg)
            org_id = org_of(model, value) if model is not None and value is not None else value
            if org_id is None:
                return func(*args, **kwargs)  # the row is gone: the task finds nothing and returns
            with org_context(org_id):
                return func(*args, **kwargs)

        wrapper.tenant_context = arg  # tests/accounts/rls checks that every task declares its context
        return wrapper

    return decorate


def visits_every_tenant(func):
    """Marks a beat task that works across tenants through `each_org` (one tenant at a time)."""
    func.tenant_context = "each_org"
    return func


def each_org(work: Callable[..., T], queryset=None) -> list[T]:
    """Call `work(org)` for each organization, each call inside that organization's context (beat
    tasks that visit every tenant).

    Organizations are not tenant rows, so enumerating them needs no bypass; each tenant's work
    then sees that tenant only.
    """
    from accounts.models import Organization

    orgs = queryset if queryset is not None else Organization.objects.all()  # scoped: beat visits every tenant
    results = []
    for org in orgs.order_by("pk"):
        with org_context(org):
            results.append(work(org))
    return results


def app_role_create(*, name: str, password: str, using: str = "default") -> None:
    """Create (or bring back to least privilege) the role the app connects as, in this database.

    Run as the owner of the tables (the role that runs migrations). The app role can log in, read
    and write rows, and nothing else: not a superuser, no BYPASSRLS, owns no table, so the
    policies always apply to it. Tables and sequences created by later migrations get the same
    grants (default privileges of the owner).
    """
    from django.db import connections

    conn = connections[using]
    role = conn.ops.quote_name(name)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(
            "SELECT format('ALTER ROLE %%I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION "
            "PASSWORD %%L', %s::text, %s::text)", [name, password])
        cursor.execute(cursor.fetchone()[0])
        cursor.execute("SELECT current_database()")
        database = conn.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {role}",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ):
            cursor.execute(statement)
