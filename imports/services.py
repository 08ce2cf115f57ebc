"""Writes of the imports app: upload, validate, re-map, confirm, cancel (STYLE.md §4, §7).

The import contract of QUALITY.md: the whole file is read and every row validated before
anything is written; the user sees the preview and every rejected row, and confirms; then all the
rows are written in one transaction or none. A confirmed run writes the records its validation typed,
once it has checked that the rows the file names (customers, orders) are still the ones found then; if
not (a customer deleted meanwhile), it validates the file again and writes only if that reading is clean.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership, Organization
from imports.base import ImportKind
from imports.files import FileRefused, read_table
from imports.models import ImportMapping, ImportRun
from imports.registry import KINDS, kind_class
from imports.selectors import write_progress_key
from imports.typed_rows import TypedRowsWriter, typed_rows_read
from imports.validation import layout_of, mapping_missing, mapping_propose, rows_validate
from integrations.base import Record
from integrations.models import Provenance
from integrations.services import RecordsRefused, provenance_create

logger = logging.getLogger("imports")


@transaction.atomic
def import_run_create(*, org: Organization, by: Membership | None, kind: str, file_name: str,
                      content: bytes) -> ImportRun:
    """Keep the upload and queue its validation; nothing is written to the records."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown record type."))
    if by is not None and not by.can(kind_class(kind).capability):
        raise ValidationError(_("Your role may not import this record type."))
    if len(content) > settings.IMPORTS_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(max)s MB.") % {"max": settings.IMPORTS_MAX_BYTES // 1_000_000})
    run = ImportRun.objects.create(
        organization=org, kind=kind, file_name=file_name[:255], file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(), content=content, created_by=by)
    audit_log_record(org=org, actor=by.user if by else None, action="import.uploaded", target=run,
                     data={"kind": kind, "file": run.file_name, "sha256": run.file_sha256})
    _enqueue("imports.tasks.import_run_validate_task", run)
    return run


def import_run_validate(*, run: ImportRun, mapping: dict[str, str] | None = None) -> ImportRun:
    """Read the file and validate every row against the kind; stores the report on the run."""
    org, kind = run.organization, kind_class(run.kind)
    try:
        table = read_table(bytes(run.content), file_name=run.file_name)
    except FileRefused as exc:
        return _finish_validation(run, state=ImportRun.State.REFUSED, refusal={"code": exc.code, "params": exc.params})
    if mapping is None:
        remembered = ImportMapping.objects.for_org(org).filter(kind=run.kind, layout=layout_of(table.header)).first()
        mapping = mapping_propose(kind, table.header, remembered.mapping if remembered else None)
    run.header, run.mapping = table.header, mapping
    run.file_format = table.kind if table.kind == "xlsx" else f"csv {table.encoding} {table.delimiter!r}"
    missing = mapping_missing(kind, mapping)
    if missing:
        return _finish_validation(run, state=ImportRun.State.REFUSED,
                                  refusal={"code": "unmapped", "params": {"columns": missing}})
    estimate = max(1, table.estimated_rows)

    def progress(done: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(progress=min(99, done * 100 // estimate))

    typed = TypedRowsWriter()
    try:
        verdict = rows_validate(org, kind, table, mapping, on_progress=progress, keep_records=False,
                                on_record=typed.add)
    except FileRefused as exc:  # row limits are met while reading
        return _finish_validation(run, state=ImportRun.State.REFUSED, refusal={"code": exc.code, "params": exc.params})
    run.rows_total, run.rows_rejected = verdict.total, len(verdict.rejected_rows)
    run.errors = [e.as_json() for e in verdict.errors]
    run.preview = verdict.preview
    if verdict.total == 0:
        return _finish_validation(run, state=ImportRun.State.REFUSED, refusal={"code": "no_rows", "params": {}})
    if verdict.rejected_rows:
        return _finish_validation(run, state=ImportRun.State.INVALID, refusal={})
    run.typed_rows, run.lookups_found = typed.finish(), verdict.lookups_found
    return _finish_validation(run, state=ImportRun.State.READY, refusal={})


def _finish_validation(run: ImportRun, *, state: str, refusal: dict) -> ImportRun:
    run.state, run.refusal, run.progress, run.validated_at = state, refusal, 100, timezone.now()
    if state == ImportRun.State.REFUSED:
        run.errors, run.preview = [], run.preview if refusal.get("code") == "unmapped" else []
    if state != ImportRun.State.READY:
        run.typed_rows, run.lookups_found = b"", {}
    run.save(update_fields=["state", "refusal", "progress", "validated_at", "header", "mapping", "file_format",
                            "rows_total", "rows_rejected", "errors", "preview", "typed_rows", "lookups_found"])
    return run


@transaction.atomic
def import_run_remap(*, run: ImportRun, mapping: dict[str, str], by: Membership | None) -> ImportRun:
    """The user matched the columns by hand: remember it for this layout and validate again."""
    if run.state not in (ImportRun.State.READY, ImportRun.State.INVALID, ImportRun.State.REFUSED):
        raise ValidationError(_("This import can no longer be changed."))
    kind = kind_class(run.kind)
    known = {c.name for c in kind.columns}
    mapping = {k: v for k, v in mapping.items() if k in known and v in run.header}
    ImportMapping.objects.update_or_create(organization=run.organization, kind=run.kind,
                                           layout=layout_of(run.header), defaults={"mapping": mapping})
    run.mapping, run.state, run.progress = mapping, ImportRun.State.VALIDATING, 0
    run.save(update_fields=["mapping", "state", "progress"])
    _enqueue("imports.tasks.import_run_validate_task", run, mapping=True)
    return run


def import_run_confirm(*, run: ImportRun, by: Membership | None) -> ImportRun:
    """Claim a clean run for writing (once, whatever the double clicks) and queue the write."""
    with transaction.atomic():
        claimed = ImportRun.objects.for_org(run.organization).filter(pk=run.pk, state=ImportRun.State.READY).update(
            state=ImportRun.State.IMPORTING, progress=0, confirmed_by=by)
        if not claimed:
            raise ValidationError(_("Only a file whose every row is valid can be imported."))
        ImportMapping.objects.update_or_create(organization=run.organization, kind=run.kind,
                                               layout=layout_of(run.header), defaults={"mapping": run.mapping})
        _enqueue("imports.tasks.import_run_execute_task", run)
    run.refresh_from_db()
    return run


def import_run_execute(*, run: ImportRun) -> ImportRun:
    """Write every row the validation typed in one transaction, or none; announce the change after commit.

    What may have changed since the validation is checked again: the rows the file names (a customer
    deleted or renamed, an order gone). When the lookups still find the same rows, the records typed at
    validation are written as they are; otherwise the file is validated again and written only if clean."""
    if run.state != ImportRun.State.IMPORTING:
        return run  # already written (a retried task) or cancelled
    org, kind = run.organization, kind_class(run.kind)
    records = _typed_records_still_valid(run, kind)
    if records is None:
        table = read_table(bytes(run.content), file_name=run.file_name)
        verdict = rows_validate(org, kind, table, run.mapping)
        if verdict.rejected_rows:
            run.state, run.rows_total, run.rows_rejected = (ImportRun.State.INVALID, verdict.total,
                                                            len(verdict.rejected_rows))
            run.errors = [e.as_json() for e in verdict.errors]
            run.typed_rows, run.lookups_found = b"", {}
            run.save(update_fields=["state", "rows_total", "rows_rejected", "errors", "typed_rows", "lookups_found"])
            return run
        records = verdict.records
    total = len(records)

    def progress(written: int) -> None:
        _write_progress_publish(run, written=written, total=total)

    try:
        with transaction.atomic():
            provenance = provenance_create(org=org, kind=Provenance.Kind.UPLOAD, label=run.file_name,
                                           by=run.confirmed_by, import_run_id=run.pk)
            progress(0)
            counts = kind.write(org=org, records=records, by=run.confirmed_by, provenance=provenance,
                                on_progress=progress)
            model_counts = {k: v.get(kind.model, 0) for k, v in counts.items() if k != "rejected"}
            updated = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.IMPORTING).update(
                state=ImportRun.State.DONE, counts=model_counts, progress=100, finished_at=timezone.now(),
                content=b"", typed_rows=b"", lookups_found={})
            if not updated:  # cancelled while we wrote: roll the rows back
                raise _Cancelled
            audit_log_record(org=org, actor=run.confirmed_by.user if run.confirmed_by else None,
                             action="import.confirmed", target=run, data={"kind": run.kind, **model_counts})
    except _Cancelled:
        pass
    except RecordsRefused as exc:  # validation and the model disagree: a bug, but nothing half-written
        logger.error("import %s: %d records refused at write", run.pk, len(exc.rejected))
        ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.FAILED, finished_at=timezone.now())
    except (DataError, IntegrityError) as exc:  # the same, met by the database (the typed rows skip clean_fields)
        logger.error("import %s: the database refused the write: %s", run.pk, exc.__class__.__name__)
        ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.FAILED, finished_at=timezone.now())
    finally:
        cache.delete(write_progress_key(run.pk))
    run.refresh_from_db()
    return run


def _typed_records_still_valid(run: ImportRun, kind: type[ImportKind]) -> list[Record] | None:
    """The records the validation typed, if a fresh look at the rows the file names finds the same ones."""
    if not run.typed_rows:
        return None
    fresh = kind()
    fresh.references(run.organization)
    if not fresh.lookups_still_find(run.lookups_found):
        return None
    return typed_rows_read(bytes(run.typed_rows), model=kind.model)


def _write_progress_publish(run: ImportRun, *, written: int, total: int) -> None:
    """Tell the page how far the write is. The write is one transaction, so a progress saved on the run would
    stay invisible to the page until the commit. The cache carries it instead of a second database
    connection in autocommit: on SQLite that connection would wait behind the write's lock, and on
    PostgreSQL it would need its own tenant context (row-level security) and one more connection per
    running import. Without Redis the figure is dropped and the page says "importing", as the run does."""
    cache.set(write_progress_key(run.pk), (written, total), timeout=settings.IMPORTS_WRITE_PROGRESS_TTL)


@transaction.atomic
def import_run_cancel(*, run: ImportRun, by: Membership | None) -> ImportRun:
    ImportRun.objects.for_org(run.organization).filter(
        pk=run.pk, state__in=[ImportRun.State.READY, ImportRun.State.INVALID, ImportRun.State.REFUSED]).update(
        state=ImportRun.State.CANCELLED, content=b"", typed_rows=b"", lookups_found={}, finished_at=timezone.now())
    run.refresh_from_db()
    return run


class _Cancelled(Exception):
    pass


def _enqueue(task_path: str, run: ImportRun, *, mapping: bool = False) -> None:
    from importlib import import_module

    module, _sep, name = task_path.rpartition(".")
    task = getattr(import_module(module), name)
    run_id = run.pk
    transaction.on_commit(lambda: task.delay(run_id, mapping) if mapping else task.delay(run_id))
