"""Writes of the integrations app: connect, sync, pause, disconnect (STYLE.md §4, §6, §7).

`connection_sync` is generic over any Connector: it claims the run with a conditional update,
holds the connection's lock, and for each Page upserts the records on (organization, source,
external_id) and saves the cursor in the same transaction, so a sync killed mid-way and re-run
leaves no duplicate and loses nothing, and a second run changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.audit import audit_log_record
from accounts.models import Membership, Organization
from integrations import models as canon
from integrations.base import FISCAL_YEAR_CURSOR, AccountInfo, Connector, ConnectorError, Page, Record
from integrations.events import records_changed_announce, sync_run_finished_announce
from integrations.locks import connection_lock
from integrations.mapping import ledger_lines_follow_accounts, pcg_numbers_of
from integrations.messages import stored_message
from integrations.models import Connection, RejectedRecord, SyncRun
from integrations.prefetch import prefetched
from integrations.ratelimit import waiting_for_redis
from integrations.registry import connector_class

logger = logging.getLogger("integrations.sync")

CANONICAL_MODELS: dict[str, type[models.Model]] = {
    m._meta.model_name: m
    for m in (
        canon.Customer, canon.Supplier, canon.Invoice, canon.Payment, canon.LedgerAccount, canon.LedgerLine,
        canon.BankAccount, canon.BankTransaction, canon.CrmCompany, canon.Contact, canon.Deal, canon.Lead,
        canon.Subscription, canon.Order, canon.Return, canon.MarketingSpend, canon.OperationalValue,
        canon.Feedback, canon.ProductionOutput,
    )
}
# The date fields the KPI engine buckets each record type by (kpi_values_recompute_enqueue).
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": ("acquired_on", "churned_on"),
    "invoice": ("issue_date", "paid_date"),
    "payment": ("date",),
    "ledgerline": ("date",),
    "banktransaction": ("date",),
    "contact": ("created_on",),
    "deal": ("created_on", "close_date"),
    "lead": ("created_on", "converted_on"),
    "subscription": ("started_on", "ended_on"),
    "order": ("placed_at",),
    "return": ("returned_on",),
    "marketingspend": ("date",),
    "operationalvalue": ("date",),
    "feedback": ("date",),
    "productionoutput": ("period",),
}
FK_SUFFIX = "_external_id"
# Rows per INSERT … ON CONFLICT statement: about 20 columns each stays under PostgreSQL's 65,535 parameters.
UPSERT_BATCH = 2_000
COUNT_KINDS = ("created", "updated", "unchanged", "deleted", "rejected")


class SyncBusy(ConnectorError):
    """Another worker holds this connection's lock; try again shortly."""

    def __init__(self):
        super().__init__("Another sync of this connection is running.", permanent=False, retry_after=30)


class SyncCancelled(Exception):
    """The connection was paused or disconnected (or the run stopped) while the run was going."""


# A run may write pages only while its connection is in one of these states.
# A sync may go on (and end) on these; a paused or disconnected connection stops it.
SYNCING_STATUSES = (*Connection.SYNCING, Connection.Status.NEEDS_ATTENTION)


class SyncRetry(Exception):
    """The run failed for a temporary reason and is queued again; the task retries after `countdown`."""

    def __init__(self, message: str, *, countdown: float | None):
        super().__init__(message)
        self.countdown = countdown


# --- connecting ---------------------------------------------------------------------------


def _connector(connection: Connection) -> Connector:
    return connector_class(connection.provider)(connection)


def connection_connect(*, org: Organization, provider: str, credentials: dict[str, Any], by: Membership | None,
                       label: str = "", account_id: str | None = None) -> Connection:
    """Check the credentials against the provider, then store them encrypted; ValidationError if refused.

    The provider is asked outside any database transaction; only the writes are atomic.
    """
    cls = connector_class(provider)
    if cls.is_firm and not org.is_consultancy:
        raise ValidationError(_("Only a consultancy can connect a firm token."))
    connection = Connection(organization=org, provider=provider, credentials=credentials,
                            sync_interval=settings.INTEGRATIONS_DEFAULT_SYNC_INTERVAL,
                            created_by=by.user if by else None)
    if account_id is None:
        info = _account_info_or_refuse(cls(connection))
        account_id, name = info.account_id, info.name
    else:
        name = ""
    with transaction.atomic():
        duplicate = Connection.objects.for_org(org).filter(provider=provider, provider_account_id=account_id) \
            .exclude(status=Connection.Status.DISCONNECTED)
        if account_id and duplicate.exists():
            raise ValidationError(_("This account is already connected."))
        connection.provider_account_id = account_id
        connection.label = label or name or str(cls.label)
        connection.save()
        audit_log_record(org=org, actor=by.user if by else None, action="connection.created", target=connection,
                         data={"provider": provider, "account": account_id})
    return connection


def connection_check(*, connection: Connection) -> str:
    """Ask the provider whether the stored credentials still work; returns the account's name or raises."""
    connector = _connector(connection)
    try:
        info = connector.account_info()
    finally:
        connector.close()
    return info.name or info.account_id


@transaction.atomic
def connection_pause(*, connection: Connection, by: Membership | None) -> Connection:
    """Stop syncing until resumed: scheduled syncs, and a running one after the page it is writing (records stay)."""
    family = _lock_family(connection)
    if family[0].status == Connection.Status.DISCONNECTED:
        raise ValidationError(_("This connection is disconnected."))
    connection.status = Connection.Status.PAUSED
    connection.save(update_fields=["status"])
    Connection.objects.filter(parent=connection).update(status=Connection.Status.PAUSED)
    _runs_stop(family, _("Stopped: the connection was paused."))
    audit_log_record(org=connection.organization, actor=by.user if by else None, action="connection.paused",
                     target=connection)
    return connection


@transaction.atomic
def connection_resume(*, connection: Connection, by: Membership | None) -> Connection:
    """Resume scheduled syncs (also clears a needs-attention state once the admin fixed the cause)."""
    if connection.status == Connection.Status.DISCONNECTED:
        raise ValidationError(_("This connection is disconnected."))
    connection.status = Connection.Status.ACTIVE
    connection.save(update_fields=["status"])
    Connection.objects.filter(parent=connection, status=Connection.Status.PAUSED).update(
        status=Connection.Status.ACTIVE)
    audit_log_record(org=connection.organization, actor=by.user if by else None, action="connection.resumed",
                     target=connection)
    return connection


def _account_info_or_refuse(connector: Connector) -> AccountInfo:
    """Ask the provider whose credentials these are; a refusal is a ValidationError the admin can read."""
    try:
        return connector.account_info()
    except ConnectorError as exc:
        if not exc.permanent:
            raise ValidationError(_("The credentials could not be checked now: %(reason)s") % {"reason": exc}) \
                from None
        raise ValidationError(_("The provider refused these credentials: %(reason)s") % {"reason": exc}) from None
    finally:
        connector.close()


@transaction.atomic
def connection_update_token(*, connection: Connection, credentials: dict[str, Any], by: Membership | None) -> Connection:
    """Replace the stored credentials (e.g. a new token) after checking them; reactivates the connection."""
    probe = Connection(organization=connection.organization, provider=connection.provider, credentials=credentials,
                       provider_account_id=connection.provider_account_id)
    info = _account_info_or_refuse(_connector(probe))
    if connection.provider_account_id and info.account_id and info.account_id != connection.provider_account_id:
        raise ValidationError(_("This token reaches another account than the one connected."))
    connection.credentials = credentials
    connection.status = Connection.Status.ACTIVE
    connection.last_error, connection.last_error_messages = "", []
    connection.save(update_fields=["credentials", "status", "last_error", "last_error_messages"])
    audit_log_record(org=connection.organization, actor=by.user if by else None, action="connection.token_replaced",
                     target=connection)
    return connection


@transaction.atomic
def connection_disconnect(*, connection: Connection, purge: bool, by: Membership | None) -> Connection:
    """Forget the credentials and stop syncing; with `purge`, also delete the records it brought in.

    A running sync is stopped too: this takes the connections' row locks first, so it waits for the
    page being written to commit and then purges it with the rest, and the next page write sees the
    connection disconnected and aborts. Whatever was running, a purge leaves no record and no cursor.
    """
    purged = 0
    family = _lock_family(connection)
    _runs_stop(family, _("Stopped: the connection was disconnected."))
    for conn in family:
        if purge:
            purged += records_purge(org=conn.organization, source=_connector_source(conn))
        conn.status = Connection.Status.DISCONNECTED
        conn.credentials = {}
        conn.cursors = {}
        conn.save(update_fields=["status", "credentials", "cursors"])
        SyncRun.objects.filter(connection=conn, state=SyncRun.State.QUEUED).update(
            state=SyncRun.State.FAILED, finished_at=timezone.now(), errors=[_("Disconnected before it ran.")])
    audit_log_record(org=connection.organization, actor=by.user if by else None, action="connection.disconnected",
                     target=connection, data={"purged_records": purged})
    return connection


def _lock_family(connection: Connection) -> list[Connection]:
    """Lock the connection's row and its children's (in id order, as page writes lock theirs), fresh from the database."""
    # scoped: the connection row carries its organization; children belong to the firm's clients
    return list(Connection.objects.select_for_update().filter(
        models.Q(pk=connection.pk) | models.Q(parent_id=connection.pk)).order_by(
        models.Case(models.When(pk=connection.pk, then=0), default=1), "pk"))


def _runs_stop(connections: list[Connection], reason: str) -> None:
    """Mark the running runs of these connections stopped; their next page write aborts (see _PageWriter)."""
    SyncRun.objects.filter(connection__in=connections, state=SyncRun.State.RUNNING).update(
        state=SyncRun.State.CANCELLED, finished_at=timezone.now(), errors=[reason])


def _connector_source(connection: Connection) -> str:
    return connector_class(connection.provider).source_key()


def records_purge(*, org: Organization, source: str) -> int:
    """Delete every canonical record of this source in this organization (disconnect with purge)."""
    deleted = 0
    # Children before parents, so SET_NULL foreign keys are not rewritten for nothing.
    for model in reversed(list(CANONICAL_MODELS.values())):
        count, _detail = model.objects.for_org(org).filter(source=source).delete()
        deleted += count
    return deleted


# --- firm mapping (a consultancy's Pennylane firm token) ------------------------------------


@transaction.atomic
def firm_company_map(*, firm: Connection, company_id: str, client: Organization, by: Membership | None,
                     label: str = "") -> Connection:
    """Map one company reached by a consultancy's firm token to one of its client companies.

    The child connection is owned by the client, so that company's records sync into the
    client's own tenant; it borrows the firm's token and rate budget.
    """
    from accounts.models import Engagement

    if not firm.is_firm:
        raise ValidationError(_("Only a firm connection maps companies."))
    if not Engagement.objects.filter(consultancy=firm.organization, organization=client).exists():
        raise ValidationError(_("This company is not one of the consultancy's clients."))
    mapped = Connection.objects.filter(parent=firm, provider_account_id=company_id) \
        .exclude(status=Connection.Status.DISCONNECTED)
    if mapped.exists():
        raise ValidationError(_("This Pennylane company is already mapped."))
    child = Connection.objects.create(
        organization=client, provider=firm.provider, parent=firm, provider_account_id=str(company_id),
        label=label or _("Pennylane (via %(firm)s)") % {"firm": firm.organization.name},
        sync_interval=firm.sync_interval, created_by=by.user if by else None,
    )
    for org in {firm.organization, client}:
        audit_log_record(org=org, actor=by.user if by else None, action="connection.firm_mapped", target=child,
                         data={"company_id": str(company_id), "client": client.slug})
    return child


# --- syncing ------------------------------------------------------------------------------


def sync_run_enqueue(*, connection: Connection, trigger: str = SyncRun.Trigger.SCHEDULE, full: bool = False) -> SyncRun:
    """Queue a sync (one live run per connection: an existing queued or running run is returned)."""
    with transaction.atomic():
        live = SyncRun.objects.for_org(connection.organization).filter(
            connection=connection, state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING]).first()
        if live is not None:
            return live
        run = SyncRun.objects.create(organization=connection.organization, connection=connection,
                                     trigger=trigger, is_full=full)
        transaction.on_commit(lambda: _sync_run_dispatch_or_fail(run))
    return run


def _sync_run_dispatch_or_fail(run: SyncRun) -> None:
    """After the commit: send the run, or, if the task queue does not take it (Redis down), mark it failed
    with a message the admin reads, so no run is left queued that no worker will ever receive (and the
    next "Sync now" starts afresh instead of returning it)."""
    try:
        sync_run_dispatch(run_id=run.pk)
    except KombuOperationalError as exc:
        logger.warning("sync run %s not sent: the task queue is unavailable (%s)", run.pk, exc)
        run.state, run.finished_at = SyncRun.State.FAILED, timezone.now()
        run.errors = [*run.errors, _("The task queue is unavailable, so the sync did not start: try again in a "
                                     "few minutes.")]
        SyncRun.objects.filter(pk=run.pk, state=SyncRun.State.QUEUED).update(
            state=run.state, finished_at=run.finished_at, errors=run.errors)


def sync_run_dispatch(*, run_id: int) -> None:
    """Hand the run to a worker; with no broker (`make demo` on runserver) run it in a background thread
    so the admin still watches it progress instead of waiting on a blocked request."""
    from integrations.tasks import sync_run_execute_task

    if settings.CELERY_TASK_ALWAYS_EAGER and settings.INTEGRATIONS_SYNC_IN_THREAD:
        def work() -> None:
            from django.db import connection as thread_db

            try:
                sync_run_execute_task.apply(args=(run_id,))
            finally:
                thread_db.close()

        threading.Thread(target=work, name=f"sync-run-{run_id}", daemon=True).start()
        return
    sync_run_execute_task.delay(run_id)


def connections_due(*, now: datetime | None = None, org: Organization | None = None) -> list[Connection]:
    """Active, non-firm connections whose interval has elapsed since their last run started (all tenants,
    or `org`'s only)."""
    now = now or timezone.now()
    due = []
    # scoped: the scheduler walks every tenant on purpose; each run stays in its connection's tenant
    candidates = Connection.objects.filter(status__in=Connection.SYNCING).exclude(
        provider="pennylane_firm", parent__isnull=True)
    if org is not None:
        candidates = candidates.for_org(org)
    latest = {}
    for run in SyncRun.objects.filter(connection__in=candidates).order_by("connection_id", "-created_at") \
            .values("connection_id", "created_at", "state"):
        latest.setdefault(run["connection_id"], run)
    for connection in candidates:
        last = latest.get(connection.pk)
        if last and last["state"] in (SyncRun.State.QUEUED, SyncRun.State.RUNNING):
            continue
        if last and last["created_at"] > now - timedelta(minutes=connection.sync_interval):
            continue
        due.append(connection)
    return due


def sync_runs_redispatch_stale(*, now: datetime | None = None, org: Organization | None = None) -> list[SyncRun]:
    """Send again the task of live runs silent for too long (worker killed, message lost with it).

    Safe to repeat: the run is claimed with a conditional update under the connection's lock, so
    a run that is in fact still going is never run twice at once.
    """
    from integrations.tasks import sync_run_execute_task

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.INTEGRATIONS_STALE_RUN_SECONDS)
    # scoped: the scheduler walks every tenant on purpose; each run stays in its own tenant
    runs = SyncRun.objects.all() if org is None else SyncRun.objects.for_org(org)
    stale = list(runs.filter(state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING]).filter(
        models.Q(heartbeat_at__lt=stale_before) | models.Q(heartbeat_at__isnull=True, created_at__lt=stale_before)))
    for run in stale:
        SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=now)  # one re-dispatch per stale period
        transaction.on_commit(lambda pk=run.pk: sync_run_execute_task.delay(pk))
    return stale


def connections_sync_due(*, now: datetime | None = None, org: Organization | None = None) -> list[SyncRun]:
    """Queue a sync for each connection whose interval has elapsed (all tenants, or `org`'s only); safe if
    two beats call it."""
    now = now or timezone.now()
    runs = []
    for connection in connections_due(now=now, org=org):
        full = connection.last_full_sync_at is None or connection.last_full_sync_at < now - timedelta(
            days=settings.PENNYLANE_FULL_RECONCILIATION_DAYS)
        runs.append(sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.SCHEDULE,
                                     full=full and connection.last_success_at is not None))
    return runs


def connection_sync(*, connection: Connection, run: SyncRun | None = None, full: bool = False,
                    trigger: str = SyncRun.Trigger.MANUAL) -> SyncRun:
    """Run one sync now, in this process; idempotent and safe to call again after a crash.

    Raises SyncRetry when the run failed for a temporary reason and was queued again (the task
    retries it); a permanent error fails the run and marks the connection as needing attention.
    """
    if run is None:
        run = SyncRun.objects.create(organization=connection.organization, connection=connection,
                                     trigger=trigger, is_full=full)
    with connection_lock(connection) as lock:
        if not lock and lock.unavailable:
            if run.errors[-1:] != [lock.unavailable]:  # say once on the run page why it waits
                run.errors = [*run.errors, lock.unavailable]
                SyncRun.objects.filter(pk=run.pk).update(errors=run.errors)
            raise SyncRetry(lock.unavailable, countdown=60)
        if not lock:
            raise SyncRetry(str(SyncBusy()), countdown=30)
        # Under the lock, a RUNNING run is one whose worker died: take it over. Finished runs are left alone.
        now = timezone.now()
        claimed = SyncRun.objects.filter(pk=run.pk, state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING]).update(
            state=SyncRun.State.RUNNING, attempt=F("attempt") + 1, heartbeat_at=now,
            started_at=models.functions.Coalesce(F("started_at"), models.Value(now)))
        run.refresh_from_db()
        if not claimed:
            return run
        connection.refresh_from_db()
        if not connection.can_sync:
            return _run_finish(run, SyncRun.State.FAILED, _("The connection is %(status)s.") % {
                "status": connection.get_status_display().lower()})
        if run.attempt > settings.INTEGRATIONS_SYNC_MAX_ATTEMPTS:
            return _run_dead(run, connection, _("Gave up after %(n)s attempts.") % {
                "n": settings.INTEGRATIONS_SYNC_MAX_ATTEMPTS})
        return _sync(connection, run, lock)


def _sync(connection: Connection, run: SyncRun, lock) -> SyncRun:
    connector = _connector(connection)
    # Without a broker the recompute a change asks for runs at once, in this process: the changes are
    # handed over once, when the sync ends, rather than after every page.
    writer = _PageWriter(connection=connection, run=run, source=connector.source_key(), lock=lock,
                         hand_over_at_end=settings.CELERY_TASK_ALWAYS_EAGER)
    cursors = {} if run.is_full else dict(connection.cursors)
    try:
        try:
            with waiting_for_redis(settings.INTEGRATIONS_REDIS_WAIT_SECONDS), \
                    prefetched(connector.fetch(cursors=cursors), ahead=_pages_ahead(connector)) as pages:
                # The next pages are read while this one is written (one read in flight, same budget).
                for page in pages:
                    writer.write(page)
        finally:
            writer.hand_over()
        with transaction.atomic():
            status = _hold_for_writing(connection, run)
            now = timezone.now()
            reasons = [s["reason"] for s in run.skipped]
            readable = [_kept_message(s["reason"], s.get("message")) for s in run.skipped]
            if reasons and not writer.read_anything:
                # Every resource was refused: the token reaches nothing useful, the admin must act.
                message = " ".join(reasons)
                Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_ATTENTION,
                                                                   last_error=message[:1000],
                                                                   last_error_messages=readable)
                return _run_finish(run, SyncRun.State.FAILED,
                                   _("Nothing could be read: %(reasons)s") % {"reasons": message})
            update = {"last_success_at": now, "last_error": " ".join(reasons)[:1000], "last_error_messages": readable}
            if not connection.last_full_sync_at:
                _fiscal_year_from_provider(connection)
            if run.is_full or not connection.last_full_sync_at:
                update["last_full_sync_at"] = now
            if status in SYNCING_STATUSES:
                update["status"] = Connection.Status.PARTLY_SYNCED if reasons else Connection.Status.ACTIVE
            Connection.objects.filter(pk=connection.pk).update(**update)
            return _run_finish(run, SyncRun.State.DONE, None)
    except SyncCancelled:
        logger.info("sync %s of connection %s stopped: the connection was paused or disconnected", run.pk,
                    connection.pk)
        run.refresh_from_db()
        return run
    except ConnectorError as exc:
        if exc.permanent:
            logger.warning("sync %s of connection %s failed: %s", run.pk, connection.pk, exc)
            _connection_needs_attention(connection, str(exc))
            return _run_finish(run, SyncRun.State.FAILED, str(exc))
        return _run_requeue(run, connection, str(exc), countdown=exc.retry_after)
    except Exception as exc:  # a bug or an unexpected payload: retried, then dead, never silent
        logger.exception("sync %s of connection %s crashed", run.pk, connection.pk)
        return _run_requeue(run, connection, f"{type(exc).__name__}: {exc}"[:500], countdown=None)
    finally:
        connector.close()


def _pages_ahead(connector: Connector) -> int:
    """How many pages may be read ahead of the one being written: none for a connector that reads the database
    while fetching, or when switched off (INTEGRATIONS_SYNC_PREFETCH)."""
    if not connector.prefetch or not settings.INTEGRATIONS_SYNC_PREFETCH:
        return 0
    return settings.INTEGRATIONS_SYNC_PAGES_AHEAD


def _fiscal_year_from_provider(connection: Connection) -> None:
    """At a connection's first sync, the fiscal year start its provider states (kept in its FISCAL_YEAR_CURSOR
    cursor by the connector's `fiscal_year_page`) is set on an organization still on the default January."""
    month = (connection.cursors.get(FISCAL_YEAR_CURSOR) or {}).get("start_month")
    org = connection.organization
    if not isinstance(month, int) or not 1 < month <= 12:
        return
    if Organization.objects.filter(pk=org.pk, fiscal_year_start_month=1).update(fiscal_year_start_month=month):
        org.fiscal_year_start_month = month
        audit_log_record(org=org, actor=None, action="organization.fiscal_year_from_provider", target=org,
                         data={"provider": connection.provider, "month": month})


def _hold_for_writing(connection: Connection, run: SyncRun) -> str:
    """Inside a page's transaction: lock the connection's row and go on only if it still syncs and the run
    still runs; raises SyncCancelled otherwise (a pause or disconnect took the row lock first, or stopped the run).

    Pause and disconnect take the same row lock, so they wait for the page being written and the page
    written after them sees them."""
    status = Connection.objects.select_for_update().filter(pk=connection.pk).values_list("status", flat=True).first()
    still_running = SyncRun.objects.filter(pk=run.pk, state=SyncRun.State.RUNNING).update(heartbeat_at=timezone.now())
    if status not in SYNCING_STATUSES or not still_running:
        raise SyncCancelled
    return status


def _kept_message(text: str, stored: dict | None) -> dict:
    """A sentence kept on the connection: its English text, and what translates it when it has it."""
    return {"text": str(text)[:1000], **(stored or {})}


def _connection_needs_attention(connection: Connection, error: str) -> None:
    # Never on a connection paused or disconnected meanwhile: that would switch it back on.
    Connection.objects.filter(pk=connection.pk, status__in=SYNCING_STATUSES).update(
        status=Connection.Status.NEEDS_ATTENTION, last_error=error[:1000],
        last_error_messages=[_kept_message(error, stored_message(error))])


def _run_finish(run: SyncRun, state: str, error: str | None) -> SyncRun:
    """End a running run; a run stopped meanwhile (pause, disconnect) stays as it was stopped."""
    errors = [*run.errors, error] if error else run.errors
    progress = 100 if state == SyncRun.State.DONE else run.progress
    ended = SyncRun.objects.filter(pk=run.pk, state=SyncRun.State.RUNNING).update(
        state=state, finished_at=timezone.now(), errors=errors, progress=progress)
    run.refresh_from_db()
    if ended:
        sync_run_finished_announce(org=run.organization, run=run)
    return run


def _run_dead(run: SyncRun, connection: Connection, error: str) -> SyncRun:
    _connection_needs_attention(connection, error)
    return _run_finish(run, SyncRun.State.DEAD, error)


def _run_requeue(run: SyncRun, connection: Connection, error: str, *, countdown: float | None) -> SyncRun:
    if run.attempt >= settings.INTEGRATIONS_SYNC_MAX_ATTEMPTS:
        return _run_dead(run, connection, error)
    requeued = SyncRun.objects.filter(pk=run.pk, state=SyncRun.State.RUNNING).update(
        state=SyncRun.State.QUEUED, errors=[*run.errors, error])
    run.refresh_from_db()
    if not requeued:
        return run  # stopped meanwhile: nothing to retry
    Connection.objects.filter(pk=connection.pk).update(last_error=error[:1000],
                                                       last_error_messages=[_kept_message(error, stored_message(error))])
    raise SyncRetry(error, countdown=countdown)


@dataclass
class _Listing:
    model: str
    filter: dict[str, Any]
    seen: set[str]


class _PageWriter:
    """Stores pages: records, rejections, cursor and run counters in one transaction per page."""

    def __init__(self, *, connection: Connection, run: SyncRun, source: str, lock=None,
                 hand_over_at_end: bool = False):
        self.lock = lock
        self.hand_over_at_end = hand_over_at_end
        self.held: dict[str, set[date]] = defaultdict(set)  # committed changes not handed over yet
        self.connection = connection
        self.org = connection.organization
        self.run = run
        self.source = source
        self.listings: dict[tuple[str, str], _Listing] = {}
        self.read_anything = False

    def write(self, page: Page) -> None:
        if page.skipped_reason:
            self._skip(page)
            return
        self.read_anything = True
        changes: dict[str, set[date]] = defaultdict(set)
        if page.listing_starts:
            # Keyed by (object type, model): one object type may list several models (HubSpot contacts → leads).
            self.listings[(page.object_type, page.listing_starts)] = _Listing(
                model=page.listing_starts, filter=page.listing_filter or {}, seen=set())
        try:
            self._write_once(page, changes)
        except IntegrityError:
            # Another connection of this organization (same source) inserted one of these records
            # meanwhile: the page is read again against the rows now there.
            changes.clear()
            self._write_once(page, changes)
        if self.lock is not None:
            self.lock.refresh()
        if self.hand_over_at_end:
            for model_name, days in changes.items():
                self.held[model_name] |= days
        elif changes:
            self._hand_over(changes)

    def hand_over(self) -> None:
        """Hand the changes held back (hand_over_at_end) to the KPI engine, once."""
        if self.held:
            held, self.held = self.held, defaultdict(set)
            self._hand_over(held)

    def _hand_over(self, changes: dict[str, set[date]]) -> None:
        records_changed_announce(org=self.org, changes=changes)

    def _write_once(self, page: Page, changes: dict[str, set[date]]) -> None:
        with transaction.atomic():
            # First the connection's row lock (pause and disconnect take it too), and a write: on SQLite
            # this takes the write lock up front, so the transaction never has to upgrade a read lock
            # while a request writes (the "database is locked" deadlock).
            _hold_for_writing(self.connection, self.run)
            counts = {kind: defaultdict(int) for kind in COUNT_KINDS}
            by_model: dict[str, list[Record]] = defaultdict(list)
            rejections = []
            for record in page.records:
                if record.reject_reason:
                    rejections.append(record)
                else:
                    by_model[record.model].append(record)
            for model_name, records in by_model.items():
                rejections += self._upsert(model_name, records, counts, changes)
            self._reject(rejections, counts)
            self._complete_sets(page, counts, changes)
            for (object_type, _model), listing in self.listings.items():
                if object_type == page.object_type:
                    listing.seen.update(r.external_id for r in page.records
                                        if r.model == listing.model and not r.deleted)
            listing = self.listings.pop((page.object_type, page.listing_complete), None) \
                if page.listing_complete else None
            if listing is not None:
                self._reconcile(listing, counts, changes)
            cursors = {**self.connection.cursors, page.object_type: page.cursor}
            Connection.objects.filter(pk=self.connection.pk).update(cursors=cursors)
            self.connection.cursors = cursors
            self._count(page, counts)

    def _skip(self, page: Page) -> None:
        """A refused resource: say so on the run (once per resource); its stored cursor stays as it was."""
        logger.info("sync %s skipped %s: %s", self.run.pk, page.object_type, page.skipped_reason)
        if any(s["object_type"] == page.object_type for s in self.run.skipped):
            return
        self.run.skipped = [*self.run.skipped, {"object_type": page.object_type, "reason": page.skipped_reason,
                                                "message": stored_message(page.skipped_reason)}]
        self.run.save(update_fields=["skipped"])

    def _complete_sets(self, page: Page, counts, changes) -> None:
        """Tombstone the rows of each complete set the page did not name (an invoice's removed payments)."""
        for model_name, filters, external_ids in page.complete_sets:
            model = CANONICAL_MODELS[model_name]
            gone = list(model.objects.for_org(self.org).filter(source=self.source, is_deleted=False, **filters)
                        .exclude(external_id__in=list(external_ids)))
            if not gone:
                continue
            date_fields = [f for f in DATE_FIELDS.get(model_name, ()) if hasattr(model, f)]
            for row in gone:
                _note(changes, model_name, row, date_fields)
            model.objects.filter(pk__in=[r.pk for r in gone]).update(is_deleted=True, synced_at=timezone.now())
            counts["deleted"][model_name] += len(gone)

    def _count(self, page: Page, counts) -> None:
        run = self.run
        merged = {k: dict(v) for k, v in run.counts.items()}
        for kind, per_model in counts.items():
            for model_name, n in per_model.items():
                entry = merged.setdefault(model_name, dict.fromkeys(COUNT_KINDS, 0))
                entry[kind] = entry.get(kind, 0) + n
        run.counts = merged
        run.pages += 1
        if page.progress is not None:
            run.progress = max(run.progress, min(99, int(page.progress * 100)))
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["counts", "pages", "progress", "heartbeat_at"])

    def _reject(self, records: list[Record], counts) -> None:
        rows = []
        for record in records:
            counts["rejected"][record.model] += 1
            excerpt = {k: v for k, v in list((record.raw or {}).items())[:20]}
            rows.append(RejectedRecord(organization=self.org, sync_run=self.run, model=record.model,
                                       external_id=record.external_id[:120], reason=record.reject_reason[:2000],
                                       reason_message=stored_message(record.reject_reason),
                                       payload=_jsonable(excerpt)))
            logger.info("rejected %s %s: %s", record.model, record.external_id, record.reject_reason)
        RejectedRecord.objects.bulk_create(rows)

    def _upsert(self, model_name: str, records: list[Record], counts, changes) -> list[Record]:
        return _upsert(self.org, self.source, model_name, records, counts, changes)

    def _reconcile(self, listing: _Listing, counts, changes) -> None:
        """A complete listing was seen in this run: what it lacked was deleted at the source."""
        model_name = listing.model
        model = CANONICAL_MODELS[model_name]
        gone = model.objects.for_org(self.org).filter(source=self.source, is_deleted=False, **listing.filter).exclude(
            external_id__in=listing.seen)
        date_fields = [f for f in DATE_FIELDS.get(model_name, ()) if hasattr(model, f)]
        rows = list(gone)
        for row in rows:
            _note(changes, model_name, row, date_fields)
        if rows:
            model.objects.filter(pk__in=[r.pk for r in rows]).update(is_deleted=True, synced_at=timezone.now())
            counts["deleted"][model_name] += len(rows)


def _resolve_foreign_keys(org: Organization, source: str, model, records: list[Record],
                          fk_keys: set[str]) -> dict[str, dict[str, int]]:
    wanted: dict[str, set[str]] = {key: set() for key in fk_keys}
    for record in records:
        for key, value in record.fields.items():
            if key in fk_keys and value not in (None, ""):
                wanted[key].add(str(value))
    resolved = {}
    for key, ids in wanted.items():
        field = model._meta.get_field(key[: -len(FK_SUFFIX)])
        related = field.related_model
        resolved[key] = dict(related.objects.for_org(org).filter(source=source, external_id__in=ids)
                             .values_list("external_id", "pk"))
    return resolved


def _upsert(org: Organization, source: str, model_name: str, records: list[Record], counts, changes,
            provenance_id: int | None = None, checked: bool = False) -> list[Record]:
    """Insert or update `records` of one type on (organization, source, external_id); returns the rejected.

    `provenance_id` (an import run's or a push's `Provenance`) goes on the rows it creates or changes.
    `checked` records were typed by an import's validation: no `clean_fields` again, and the new and the
    changed rows go in the same INSERT … ON CONFLICT DO UPDATE statements."""
    model = CANONICAL_MODELS.get(model_name)
    if model is None:
        return [Record(model=model_name, external_id=r.external_id, raw=r.raw,
                       reject_reason=f"Unknown record type {model_name!r}.") for r in records]
    latest = {r.external_id: r for r in records}  # the last version of a record in a page wins
    # Foreign keys come as `<fk>_external_id` (resolved in this source) or, from imports, as `<fk>_id`.
    field_names = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields if f.attname != f.name}
    fk_keys = {k for r in latest.values() for k in r.fields
               if k.endswith(FK_SUFFIX) and k not in field_names}
    resolved = _resolve_foreign_keys(org, source, model, list(latest.values()), fk_keys) if fk_keys else {}
    existing = {row.external_id: row for row in
                model.objects.for_org(org).filter(source=source, external_id__in=list(latest))}
    # A ledger line of a mapped chart (QuickBooks, Xero) comes without a PCG number: it takes its account's class.
    pcg_of = (pcg_numbers_of(org, set(resolved.get("account_external_id", {}).values()))
              if model_name == "ledgerline" else {})
    to_create, to_update, changed_fields, rejected = [], [], set(), []
    to_upsert: dict[frozenset, list] = defaultdict(list)  # checked records, by the fields they carry
    date_fields = [f for f in DATE_FIELDS.get(model_name, ()) if f in field_names]
    for external_id, record in latest.items():
        row = existing.get(external_id)
        if record.deleted:
            if row is not None and not row.is_deleted:
                row.is_deleted = True
                row.source_updated_at = record.source_updated_at or row.source_updated_at
                to_update.append(row)
                changed_fields |= {"is_deleted", "source_updated_at"}
                counts["deleted"][model_name] += 1
                _note(changes, model_name, row, date_fields)
            else:
                counts["unchanged"][model_name] += 1
            continue
        values = {}
        for key, value in record.fields.items():
            if key in fk_keys:
                values[key[: -len(FK_SUFFIX)] + "_id"] = resolved[key].get(str(value)) if value else None
            elif key in field_names:
                values[key] = value
            else:
                rejected.append(Record(model=model_name, external_id=external_id, raw=record.raw,
                                       reject_reason=f"Unknown field {key!r}."))
                break
        else:
            if model_name == "ledgerline" and "account_number" not in values:
                values["account_number"] = pcg_of.get(values.get("account_id"), "")
            candidate = model(organization=org, source=source, external_id=external_id,
                              source_updated_at=record.source_updated_at, provenance_id=provenance_id, **values)
            if not checked:
                try:
                    # Foreign keys were resolved within the organization: no per-row query to validate them.
                    candidate.clean_fields(exclude=["organization", "provenance",
                                                    *(k[: -len(FK_SUFFIX)] for k in fk_keys),
                                                    *(by_attname[k] for k in values if k in by_attname)])
                except ValidationError as exc:
                    rejected.append(Record(model=model_name, external_id=external_id, raw=record.raw,
                                           reject_reason=_validation_text(exc)))
                    continue
            if row is None:
                (to_upsert[frozenset(values)] if checked else to_create).append(candidate)
                counts["created"][model_name] += 1
                _note(changes, model_name, candidate, date_fields)
                continue
            diff = [f for f in values if getattr(row, f) != getattr(candidate, f)]
            if row.is_deleted:
                diff.append("is_deleted")
            if not diff:
                counts["unchanged"][model_name] += 1
                continue
            _note(changes, model_name, row, date_fields)
            if checked:
                to_upsert[frozenset(values)].append(candidate)
                counts["updated"][model_name] += 1
                _note(changes, model_name, candidate, date_fields)
                continue
            for f in diff:
                setattr(row, f, getattr(candidate, f))
            row.is_deleted = False
            row.source_updated_at = record.source_updated_at
            changed_fields |= {*diff, "source_updated_at", "synced_at"}
            if provenance_id is not None:
                row.provenance_id = provenance_id
                changed_fields.add("provenance")
            to_update.append(row)
            counts["updated"][model_name] += 1
            _note(changes, model_name, row, date_fields)
    for names, rows in to_upsert.items():
        model.objects.bulk_create(
            rows, batch_size=UPSERT_BATCH, update_conflicts=True, unique_fields=["organization", "source", "external_id"],
            update_fields=sorted({by_attname.get(n, n) for n in names} | {"is_deleted", "source_updated_at", "synced_at"}
                                 | ({"provenance"} if provenance_id is not None else set())))
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        now = timezone.now()
        for row in to_update:
            row.synced_at = now
        model.objects.bulk_update(to_update, sorted(changed_fields | {"synced_at"}), batch_size=500)
        if model_name == "ledgeraccount" and changed_fields & {"default_pcg_number", "classification"}:
            # The provider re-typed accounts: their lines follow (unless the CFO mapped them).
            days = ledger_lines_follow_accounts(org=org, accounts=to_update)
            if days:
                changes.setdefault("ledgerline", set()).update(days)
    return rejected


class RecordsRefused(Exception):
    """Some records of an all-or-nothing write were refused; nothing was written."""

    def __init__(self, rejected: list[Record]):
        super().__init__(f"{len(rejected)} records refused")
        self.rejected = rejected


def provenance_create(*, org: Organization, kind: str, label: str, by: Membership | None = None,
                      api_key=None, import_run_id: int | None = None) -> canon.Provenance:
    """The source an import run or a push gives the records it writes (`records_upsert(provenance=…)`)."""
    return canon.Provenance.objects.create(organization=org, kind=kind, label=label[:255], by=by, api_key=api_key,
                                           import_run_id=import_run_id)


@transaction.atomic
def records_upsert(*, org: Organization, source: str, records: list[Record], chunk: int = 1000,
                   provenance: canon.Provenance | None = None, checked: bool = False,
                   on_progress: Callable[[int], None] | None = None) -> dict:
    """Write records from an import or a push, all or nothing; returns counts by kind and record type.

    Idempotent on (organization, source, external_id): the same rows again change nothing (and keep the
    provenance of the write that last changed them). Foreign keys come already resolved within the
    organization (`customer_id`). The change is announced after commit, so the engine recomputes the
    periods touched. `on_progress(written)` hears the count of records written after each chunk.
    `checked` records come from an import's validation, which typed them with the kind's parsers and rules:
    they skip the model's `clean_fields`.
    """
    counts = {kind: defaultdict(int) for kind in COUNT_KINDS}
    changes: dict[str, set[date]] = defaultdict(set)
    by_model: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_model[record.model].append(record)
    rejected: list[Record] = []
    written = 0
    for model_name, rows in by_model.items():
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            rejected += _upsert(org, source, model_name, part, counts, changes,
                                provenance_id=provenance.pk if provenance else None, checked=checked)
            written += len(part)
            if on_progress is not None:
                on_progress(written)
    if rejected:
        raise RecordsRefused(rejected)
    records_changed_announce(org=org, changes=changes)
    return {kind: dict(per_model) for kind, per_model in counts.items()}


def _note(changes: dict[str, set[date]], model_name: str, row, date_fields: list[str]) -> None:
    for name in date_fields:
        value = getattr(row, name, None)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            changes[model_name].add(value)


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value[:20]]
    if value is None or isinstance(value, bool | int | float | str):
        return value if not isinstance(value, str) else value[:500]
    return str(value)[:500]


