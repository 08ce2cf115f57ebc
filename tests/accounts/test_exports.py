"""Tables download as CSV and .xlsx; a text cell that a spreadsheet would run is neutralised, numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook

from accounts.exports import DANGEROUS_PREFIXES, table_csv, table_xlsx
from tests.conftest import url

cells = st.one_of(st.text(max_size=20), st.decimals(allow_nan=False, allow_infinity=False, places=2,
                                                    min_value=-10**9, max_value=10**9), st.integers(-10**9, 10**9))


def _csv_rows(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=","))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=5))
def test_no_exported_text_cell_starts_like_a_formula_in_csv_or_xlsx(rows):
    with translation.override("en"):
        parsed = _csv_rows(table_csv(["a", "b", "c", "d"], rows))[1:]
    sheet = load_workbook(io.BytesIO(table_xlsx(["a", "b", "c", "d"], rows)), read_only=True).active
    xlsx = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    for row, csv_row, xlsx_row in zip(rows, parsed, xlsx, strict=True):
        for value, csv_cell, xlsx_cell in zip(row, csv_row, xlsx_row, strict=False):
            if isinstance(value, str):
                assert not csv_cell.startswith(DANGEROUS_PREFIXES)
                assert xlsx_cell is None or not str(xlsx_cell).startswith(DANGEROUS_PREFIXES)
                assert csv_cell in (value, "'" + value)
            else:
                assert Decimal(csv_cell) == Decimal(value)  # a negative amount stays a number
                assert Decimal(str(xlsx_cell)) == Decimal(value)


def test_french_readers_get_semicolons_and_decimal_commas():
    with translation.override("fr"):
        text = table_csv(["Montant", "Jour"], [[Decimal("-1234.50"), date(2026, 3, 31)]]).decode("utf-8-sig")
    assert text.splitlines() == ["Montant;Jour", "-1234,50;2026-03-31"]


def test_the_audit_log_downloads_as_csv_and_xlsx(client, acme_ceo):
    from accounts.audit import audit_log_record

    audit_log_record(org=acme_ceo.organization, actor=acme_ceo.user, action="member.role_changed",
                     data={"note": "=HYPERLINK(\"http://evil\")"})
    client.force_login(acme_ceo.user)
    response = client.get(url("accounts:audit_log", org_slug="acme") + "?export=csv")
    assert response["Content-Disposition"] == 'attachment; filename="acme-audit-log.csv"'
    rows = _csv_rows(response.content)
    assert rows[0] == ["When", "Who", "What", "Object", "Details", "From"]
    assert rows[1][4] == "'note: =HYPERLINK(\"http://evil\")" or rows[1][4].startswith("note:")
    xlsx = client.get(url("accounts:audit_log", org_slug="acme") + "?export=xlsx")
    assert len(list(load_workbook(io.BytesIO(xlsx.content), read_only=True).active.iter_rows())) == 2


def test_an_export_is_guarded_like_its_page(client, alice):
    client.force_login(alice.user)  # a CFO does not read the audit log
    assert client.get(url("accounts:audit_log", org_slug="acme") + "?export=csv").status_code == 403
