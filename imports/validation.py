"""Reading every row of a file against a kind, with no write: the report, or the records to write.

Pure of the database but for the kind's lookups, so a file can be validated twice (at upload and
again at confirmation, when customers may have changed) and give the same verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from imports.base import ImportKind, RowError, RowFieldError, normalise_header
from imports.files import Table
from imports.values import CellError, is_blank
from integrations.base import Record


def layout_of(header: list[str]) -> str:
    return hashlib.sha256("|".join(normalise_header(h) for h in header).encode()).hexdigest()


def mapping_propose(kind: type[ImportKind], header: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Column name → header: what this organization chose for this layout, else by names and aliases."""
    present = set(header)
    if remembered and all(h in present for h in remembered.values()):
        return dict(remembered)
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(normalise_header(h), h)
    proposal = {}
    for column in kind.columns:
        names = (column.name, normalise_header(str(column.label)), *column.aliases)
        for name in names:
            if name in by_norm and by_norm[name] not in proposal.values():
                proposal[column.name] = by_norm[name]
                break
    return proposal


def mapping_missing(kind: type[ImportKind], mapping: dict[str, str]) -> list[str]:
    return [c.name for c in kind.columns if c.required and not mapping.get(c.name)]


@dataclass
class Verdict:
    total: int = 0
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    preview: list[dict[str, str]] = field(default_factory=list)
    lookups_found: dict[str, dict[str, int]] = field(default_factory=dict)  # ImportKind.lookups_found()


def rows_validate(org, kind: type[ImportKind], table: Table, mapping: dict[str, str], *,
                  on_progress: Callable[[int], None] | None = None, keep_records: bool = True,
                  on_record: Callable[[Record], None] | None = None, max_errors: int | None = None) -> Verdict:
    """Validate every row; an error never stops the reading, so the report lists them all. Each valid row's
    record is kept on the verdict (`keep_records`) or handed to `on_record`."""
    instance = kind()
    instance.references(org)
    index = {h: i for i, h in enumerate(table.header)}
    positions = {c.name: index[mapping[c.name]] for c in kind.columns if mapping.get(c.name) in index}
    verdict = Verdict()
    cap = settings.IMPORTS_MAX_REPORTED_ERRORS if max_errors is None else max_errors
    seen: dict[str, int] = {}
    limits = _model_limits(kind)
    for number, cells in table.rows:
        verdict.total += 1
        row_errors: list[RowError] = []
        values: dict[str, Any] = {}
        for column in kind.columns:
            position = positions.get(column.name)
            raw = cells[position] if position is not None else None
            if is_blank(raw):
                if column.required:
                    row_errors.append(RowError(number, column.name, "", "required"))
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(raw)
            except CellError as exc:
                row_errors.append(RowError(number, column.name, _text(raw), exc.code, exc.params))
        fields = None
        if not row_errors:
            try:
                fields = instance.to_fields(values)
            except RowFieldError as exc:
                row_errors.append(RowError(number, exc.column, _text(values.get(exc.column)), exc.code, exc.params))
            else:
                row_errors += _beyond_limits(number, fields, limits, kind)
        if not row_errors:
            key = instance.external_id(values)
            if key in seen:
                row_errors.append(RowError(number, kind.natural_key[0], _text(values.get(kind.natural_key[0])),
                                           "duplicate", {"first": seen[key]}))
            else:
                seen[key] = number
        if row_errors:
            verdict.rejected_rows.add(number)
            if len(verdict.errors) < cap:
                verdict.errors.extend(row_errors[: cap - len(verdict.errors)])
        else:
            record = Record(model=kind.model, external_id=key, fields=fields)
            if keep_records:
                verdict.records.append(record)
            if on_record is not None:
                on_record(record)
        if len(verdict.preview) < settings.IMPORTS_PREVIEW_ROWS:
            verdict.preview.append({"row": number, **{c.name: _shown(values.get(c.name)) for c in kind.columns},
                                    "ok": not row_errors})
        if on_progress is not None and verdict.total % 1000 == 0:
            on_progress(verdict.total)
    verdict.lookups_found = instance.lookups_found()
    return verdict


def _model_limits(kind: type[ImportKind]) -> dict[str, tuple[int, int | None]]:
    """The record model's text lengths (max, None) and decimal sizes (whole digits, places), by field: checked
    on every row here, so the confirmed write stores the typed rows without the model's `clean_fields`."""
    from django.db import models

    from integrations.services import CANONICAL_MODELS

    model = CANONICAL_MODELS.get(kind.model)
    limits: dict[str, tuple[int, int | None]] = {}
    for f in model._meta.concrete_fields if model is not None else ():
        if isinstance(f, models.DecimalField):
            limits[f.attname] = (f.max_digits - f.decimal_places, f.decimal_places)
        elif isinstance(f, models.CharField) and f.max_length:
            limits[f.attname] = (f.max_length, None)
    return limits


def _beyond_limits(number: int, fields: dict[str, Any], limits: dict[str, tuple[int, int | None]],
                   kind: type[ImportKind]) -> list[RowError]:
    errors = []
    for name, (size, places) in limits.items():
        value = fields.get(name)
        if value is None:
            continue
        column = name if any(c.name == name for c in kind.columns) else ""
        if places is None:
            if isinstance(value, str) and len(value) > size:
                errors.append(RowError(number, column, _text(value), "too_long", {"max": size}))
        elif isinstance(value, Decimal):
            whole = max(0, value.adjusted() + 1) if value else 0
            exponent = value.normalize().as_tuple().exponent if value else 0
            if whole > size or (isinstance(exponent, int) and -exponent > places):
                errors.append(RowError(number, column, _text(value), "too_many_digits",
                                       {"whole": size, "places": places}))
    return errors


def _text(value) -> str:
    return "" if value is None else str(value)[:200]


def _shown(value) -> list[str]:
    """A typed value as JSON ([type, text]); the page formats it in the reader's locale."""
    from datetime import date, datetime
    from decimal import Decimal

    if value is None:
        return ["", ""]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal | int):
        return ["number", str(value)]
    return ["text", str(value)]
