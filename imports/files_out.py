"""Files we hand back: a template per kind, and the rejected rows with their reasons, to fix and re-upload.

Cells that a spreadsheet would run as a formula are neutralised (QUALITY.md, "Formula injection").
"""

from __future__ import annotations

import csv
import io

from accounts.exports import neutralise
from imports.files import read_table
from imports.messages import column_label, row_message
from imports.registry import kind_class


def template_csv(kind_key: str) -> str:
    kind = kind_class(kind_key)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([c.name for c in kind.columns])
    writer.writerow([neutralise(c.example) for c in kind.columns])
    return "\ufeff" + out.getvalue()  # the BOM makes Excel read UTF-8


def rejected_rows_csv(run) -> str:
    """The file's rejected rows as uploaded (all of them, not only those on the page), each with what is wrong."""
    from imports.validation import rows_validate

    verdict = rows_validate(run.organization, kind_class(run.kind),
                            read_table(bytes(run.content), file_name=run.file_name), run.mapping,
                            keep_records=False, max_errors=10**9)
    reasons: dict[int, list[str]] = {}
    for error in verdict.errors:
        error = error.as_json()
        reasons.setdefault(error["row"], []).append(f"{column_label(run, error['column'])}: {row_message(error)}")
    table = read_table(bytes(run.content), file_name=run.file_name)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    from django.utils.translation import gettext as _

    writer.writerow([*table.header, _("row"), _("what to fix")])
    for number, cells in table.rows:
        if number in reasons:
            writer.writerow([*(neutralise("" if c is None else c) for c in cells), number, " · ".join(reasons[number])])
    return "\ufeff" + out.getvalue()
