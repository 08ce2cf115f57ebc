"""What a person reads about a refused file or a rejected row, in their language (codes are stored)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.registry import kind_class

ROW_MESSAGES = {
    "required": gettext_lazy("required value missing"),
    "bad_date": gettext_lazy("not a date (write 31/03/2026 or 2026-03-31)"),
    "bad_month": gettext_lazy("not a month (write 03/2026, 2026-03 or mars 2026)"),
    "bad_number": gettext_lazy("not a number (write 1234,56 or 1234.56)"),
    "bad_integer": gettext_lazy("not a whole number"),
    "too_long": gettext_lazy("longer than %(max)s characters"),
    "too_many_digits": gettext_lazy("at most %(whole)s digits before the decimal point and %(places)s after"),
    "date_out_of_range": gettext_lazy("a year between %(first)s and %(last)s is expected"),
    "negative": gettext_lazy("cannot be negative"),
    "before": gettext_lazy("earlier than “%(other)s”"),
    "unknown_customer": gettext_lazy("unknown customer: sync or import it first, or leave the cell empty"),
    "unknown_order": gettext_lazy("unknown order: import the orders first"),
    "duplicate": gettext_lazy("same key as row %(first)s of this file"),
    "bad_prefix": gettext_lazy("not an account prefix of class 6 or 7 (write 2 to 8 digits, such as 64 or 706)"),
    "unknown_scale": gettext_lazy("write nps (score 0 to 10) or csat (score 1 to 5)"),
    "score_range": gettext_lazy("a score from %(low)s to %(high)s is expected"),
}

FILE_MESSAGES = {
    "too_large": gettext_lazy("The file is larger than %(max_mb)s MB: split it."),
    "empty": gettext_lazy("The file is empty."),
    "macros": gettext_lazy("Files with macros (.xlsm) are refused: save it as .xlsx or CSV."),
    "legacy_excel": gettext_lazy("Old Excel files (.xls) are not read: save it as .xlsx or CSV."),
    "utf16": gettext_lazy("The file is in UTF-16: save it as CSV UTF-8."),
    "nul_byte": gettext_lazy("The file holds binary data (a NUL byte): it is not a CSV."),
    "encoding": gettext_lazy("The file's characters could not be read: save it as CSV UTF-8."),
    "no_header": gettext_lazy("The first row must name the columns."),
    "not_xlsx": gettext_lazy("The file is not a readable Excel workbook."),
    "zip_entries": gettext_lazy("The workbook holds more than %(max)s parts: refused as suspicious."),
    "zip_size": gettext_lazy("The workbook would expand beyond %(max_mb)s MB: refused as suspicious."),
    "zip_ratio": gettext_lazy("The workbook is compressed suspiciously much: refused."),
    "xml_entities": gettext_lazy("The workbook declares XML entities, which Excel never writes: refused as suspicious."),
    "too_many_rows": gettext_lazy("More than %(max)s rows: split the file."),
    "too_many_columns": gettext_lazy("More than %(max)s columns."),
    "cell_too_long": gettext_lazy("A cell holds more than %(max)s characters."),
    "no_rows": gettext_lazy("The file has a header but no row."),
    "unmapped": gettext_lazy("Choose which column of the file holds: %(columns)s."),
}


def row_message(error: dict) -> str:
    template = ROW_MESSAGES.get(error.get("code"), gettext_lazy("invalid value"))
    try:
        return str(template) % error.get("params", {}) if error.get("params") else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def refusal_message(run) -> str:
    refusal = run.refusal or {}
    code, params = refusal.get("code"), dict(refusal.get("params") or {})
    if not code:
        return ""
    if code == "unmapped":
        kind = kind_class(run.kind)
        params["columns"] = ", ".join(str(kind.column(name).label) for name in params.get("columns", []))
    template = FILE_MESSAGES.get(code, gettext_lazy("The file cannot be read."))
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def column_label(run, name: str) -> str:
    if not name:
        return _("row")
    try:
        return str(kind_class(run.kind).column(name).label)
    except StopIteration:
        return name
