"""Hostile files are refused before they are opened, quickly, with a sentence that says why."""

import io
import re
import time
import zipfile

import pytest

from imports.files import FileRefused, read_table
from tests.imports.helpers import csv_bytes, upload, xlsx_bytes


def _refusal(content: bytes, name: str = "file.xlsx") -> str:
    started = time.monotonic()
    with pytest.raises(FileRefused) as caught:
        table = read_table(content, file_name=name)
        list(table.rows)
    assert time.monotonic() - started < 2
    return caught.value.code


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_renamed_xlsx_is_refused_on_its_ratio():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * 50_000_000})
    assert len(bomb) < 100_000
    assert _refusal(bomb) == "zip_ratio"


def test_a_workbook_with_too_many_parts_is_refused():
    parts = {"[Content_Types].xml": b"<Types/>", **{f"xl/p{i}.xml": bytes([i % 250]) * 3 for i in range(1_001)}}
    assert _refusal(_zip(parts)) == "zip_entries"


def test_billion_laughs_in_the_sheet_is_refused():
    entities = b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"lol") * 10)
                        for i in range(1, 10))
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["number"], ["a"]])))
    entries = {n: source.read(n) for n in source.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"]
    entries["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>"
                                           + sheet.split(b"?>", 1)[-1].replace(b"<t>a</t>", b"<t>&lol9;</t>"))
    assert _refusal(_zip(entries)) == "xml_entities"


def test_huge_declared_dimensions_are_refused_before_the_rows_are_read():
    content = xlsx_bytes([["number", "placed_at"], ["a", "b"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"',
                                                 entries["xl/worksheets/sheet1.xml"])
    assert _refusal(_zip(entries)) in {"too_many_rows", "too_many_columns"}


def test_macro_enabled_workbooks_are_refused_by_name_and_by_content():
    assert _refusal(xlsx_bytes([["a"]]), name="budget.xlsm") == "macros"
    content = xlsx_bytes([["a"], ["b"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["xl/vbaProject.bin"] = b"\x00" * 100
    assert _refusal(_zip(entries), name="budget.xlsx") == "macros"


def test_text_files_that_are_not_a_sane_csv_are_refused():
    assert _refusal("number;placed_at\r\nA;1\r\n".encode("utf-16"), name="x.csv") == "utf16"
    assert _refusal(b"number;placed_at\r\nA\x00;1\r\n", name="x.csv") == "nul_byte"
    assert _refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="x.xls") == "legacy_excel"


def test_more_rows_than_allowed_refuses_the_file(acme, bob, settings):
    settings.IMPORTS_MAX_ROWS = 100
    run = upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax", *(f"A-{i};2026-03-01;1" for i in range(101))]))
    assert run.state == "refused" and run.refusal == {"code": "too_many_rows", "params": {"max": 100}}


def test_a_formula_in_a_cell_is_read_as_text(acme, bob):
    from integrations.models import Order
    from tests.imports.helpers import confirm

    run = upload(acme, bob, csv_bytes(["number;placed_at;amount_excl_tax;channel",
                                       '=HYPERLINK("http://evil.example");2026-03-01;1;=1+2']))
    confirm(run, bob)
    assert Order.objects.for_org(acme).get().channel == "=1+2"
