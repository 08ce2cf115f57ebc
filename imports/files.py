"""Turning an uploaded file into a header and rows, refusing hostile files before they are opened.

CSV: the encoding is read from the bytes (UTF-8 with or without BOM, else Windows-1252 as French
Excel writes; UTF-16 and NUL bytes are refused), the delimiter sniffed among `; , tab |`.
XLSX: the zip is checked first (entries, total uncompressed size, compression ratio, no macros),
then openpyxl reads it in read-only mode with defusedxml guarding the XML (QUALITY.md, "Hostile files").
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .xlsm-as-OLE
DELIMITERS = ";,\t|"


class FileRefused(ValueError):
    """The file as a whole cannot be read; `code` and `params` make a translated sentence."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (row number in the file, the header being row 1; cells at the header's width)
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0  # for the progress bar only


def read_table(content: bytes, *, file_name: str) -> Table:
    """Open the upload; raises FileRefused for anything that is not a sane CSV or .xlsx."""
    if len(content) > settings.IMPORTS_MAX_BYTES:
        raise FileRefused("too_large", max_mb=settings.IMPORTS_MAX_BYTES // 1_000_000)
    if not content.strip():
        raise FileRefused("empty")
    lower = file_name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise FileRefused("macros")
    if content.startswith(OLE_MAGIC):
        raise FileRefused("legacy_excel")
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    return _read_csv(content)


def _decode(content: bytes) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused("utf16")
    if b"\x00" in content:
        raise FileRefused("nul_byte")
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(content: bytes) -> Table:
    try:
        text, encoding = _decode(content)
    except UnicodeDecodeError as exc:
        raise FileRefused("encoding") from exc
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileRefused("no_header") from exc
    return Table(kind="csv", header=_header(header), rows=_bounded(reader, len(header)), encoding=encoding,
                 delimiter=delimiter, estimated_rows=text.count("\n"))


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRefused("not_xlsx") from exc
    if len(entries) > settings.IMPORTS_XLSX_MAX_ENTRIES:
        raise FileRefused("zip_entries", max=settings.IMPORTS_XLSX_MAX_ENTRIES)
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > settings.IMPORTS_XLSX_MAX_UNCOMPRESSED:
        raise FileRefused("zip_size", max_mb=settings.IMPORTS_XLSX_MAX_UNCOMPRESSED // 1_000_000)
    if total / packed > settings.IMPORTS_XLSX_MAX_RATIO:
        raise FileRefused("zip_ratio")
    names = {e.filename.lower() for e in entries}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise FileRefused("macros")
    if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRefused("not_xlsx")
    if b"macroEnabled" in archive.read(next(e for e in entries if e.filename.lower() == "[content_types].xml")):
        raise FileRefused("macros")
    for entry in entries:  # a workbook never declares entities: one that does is an XML bomb
        if entry.filename.lower().endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                prolog = part.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise FileRefused("xml_entities")


def _read_xlsx(content: bytes) -> Table:
    import defusedxml  # noqa: F401  openpyxl guards its XML parsing only when defusedxml is importable
    from openpyxl import load_workbook

    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged file; all mean "cannot read it"
        raise FileRefused("not_xlsx") from exc
    sheet = workbook.worksheets[0]
    if sheet.max_row and sheet.max_row > settings.IMPORTS_MAX_ROWS + 1:
        raise FileRefused("too_many_rows", max=settings.IMPORTS_MAX_ROWS)
    if sheet.max_column and sheet.max_column > settings.IMPORTS_MAX_COLUMNS:
        raise FileRefused("too_many_columns", max=settings.IMPORTS_MAX_COLUMNS)
    rows = _guarded(sheet.iter_rows(values_only=True))
    try:
        header = [("" if v is None else str(v)) for v in next(rows)]
    except StopIteration as exc:
        raise FileRefused("no_header") from exc
    while header and not header[-1].strip():
        header.pop()
    return Table(kind="xlsx", header=_header(header), rows=_bounded(rows, len(header)),
                 estimated_rows=(sheet.max_row or 1) - 1)


def _guarded(rows):
    """The sheet is parsed while it is read: any parser error means the file is not a sane workbook."""
    try:
        yield from rows
    except FileRefused:
        raise
    except Exception as exc:  # defusedxml's EntitiesForbidden, a broken cell, a truncated part…
        raise FileRefused("not_xlsx") from exc


def _header(cells: list[str]) -> list[str]:
    header = [str(c).strip().lstrip("\ufeff") for c in cells]
    if not any(header):
        raise FileRefused("no_header")
    if len(header) > settings.IMPORTS_MAX_COLUMNS:
        raise FileRefused("too_many_columns", max=settings.IMPORTS_MAX_COLUMNS)
    return header


def _bounded(rows, width: int) -> Iterator[tuple[int, list]]:
    """Rows cut to the header's width, blank rows skipped; more rows than allowed refuses the file."""
    count = 0
    for number, row in enumerate(rows, start=2):
        row = list(row)[:width]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        count += 1
        if count > settings.IMPORTS_MAX_ROWS:
            raise FileRefused("too_many_rows", max=settings.IMPORTS_MAX_ROWS)
        for value in row:
            if isinstance(value, str) and len(value) > settings.IMPORTS_MAX_CELL_CHARS:
                raise FileRefused("cell_too_long", max=settings.IMPORTS_MAX_CELL_CHARS)
        yield number, row + [None] * (width - len(row))
