"""Reads of the imports app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import formats

from accounts.models import Organization
from imports.models import ImportRun
from imports.registry import kind_class


def import_runs_for(org: Organization, *, limit: int = 50) -> QuerySet[ImportRun]:
    """The organization's latest import runs, without the files themselves; 1 query."""
    return (ImportRun.objects.for_org(org).defer("content", "preview", "errors", "header")
            .select_related("created_by__user").order_by("-created_at", "-id")[:limit])


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
