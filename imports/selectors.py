"""Reads of the imports app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import formats

from accounts.models import Organization
from imports.models import ImportRun
from imports.registry import kind_class


def import_runs_for(org: Organization, *, limit: int = 50) -> QuerySet[ImportRun]:
    """The organization's latest import runs, without the files themselves; 1 query."""
    return (ImportRun.objects.for_org(org).defer("content", "typed_rows", "lookups_found", "preview", "errors", "header")
            .select_related("created_by__user").order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class WriteProgress:
    written: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, self.written * 100 // max(1, self.total))


def write_progress_key(run_id: int) -> str:
    return f"pilotage:imports:write-progress:{run_id}"


def import_write_progress(run: ImportRun) -> WriteProgress | None:
    """Rows written so far by the run's transaction, as its worker publishes them through the cache; None
    when the run is not writing or the figure is unknown (not yet published, or Redis down): the page then
    says "importing", as the database does."""
    if run.state != ImportRun.State.IMPORTING:
        return None
    published = cache.get(write_progress_key(run.pk))
    if not isinstance(published, (list, tuple)) or len(published) != 2:
        return None
    return WriteProgress(written=int(published[0]), total=int(published[1]))


def preview_rows(run: ImportRun) -> tuple[list[str], list[dict]]:
    """The preview's labels and rows, each value formatted in the reader's locale."""
    kind = kind_class(run.kind)
    labels = [str(c.label) for c in kind.columns]
    rows = []
    for row in run.preview:
        cells = [_formatted(*row.get(c.name, ["", ""])) for c in kind.columns]
        rows.append({"row": row["row"], "ok": row["ok"], "cells": cells})
    return labels, rows


def _formatted(kind: str, text: str) -> str:
    if kind == "datetime":
        return formats.date_format(datetime.fromisoformat(text), "SHORT_DATETIME_FORMAT")
    if kind == "date":
        return formats.date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")
    if kind == "number":
        return formats.number_format(Decimal(text), use_l10n=True, force_grouping=True)
    return text
