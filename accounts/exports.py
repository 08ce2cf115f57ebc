"""What every table a person downloads shares: cells that a spreadsheet would run are neutralised.

ASVS 5.0 1.2.10 (QUALITY.md, "Formula injection"): a text cell starting with `= + - @`, tab, CR
or NUL gets a leading single quote, in CSV and in .xlsx; numbers stay numbers.
"""

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value):
    """A text cell starting like a formula gets a leading quote; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


# --- tables as files ---------------------------------------------------------------------------
# Every table a person reads downloads as CSV and .xlsx from the page's own URL (`?export=csv|xlsx`),
# so a download is guarded by exactly the page's capability and tenancy.

EXPORT_FORMATS = ("csv", "xlsx")


def export_format(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in EXPORT_FORMATS else None


def table_csv(header, rows) -> bytes:
    """RFC 4180 CSV for the reader's Excel: `;` and decimal commas in French, `,` and points otherwise."""
    import csv
    import io
    from decimal import Decimal

    from django.utils import translation

    french = (translation.get_language() or "en").startswith("fr")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, bool) or value is None:
                cells.append("" if value is None else str(value))
            elif isinstance(value, Decimal | int | float):
                cells.append(str(value).replace(".", ",") if french else str(value))
            elif hasattr(value, "isoformat"):
                cells.append(value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else value.isoformat())
            else:
                cells.append(neutralise(str(value)))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(header, rows, *, title: str = "Pilotage") -> bytes:
    """A one-sheet workbook: numbers and dates typed, text neutralised, time zones dropped (Excel has none)."""
    import io
    from datetime import datetime

    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # control characters a workbook cannot hold

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(str(h)) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            elif isinstance(value, str):
                value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
            elif value is not None and not isinstance(value, int | float | bool) and not hasattr(value, "isoformat") \
                    and type(value).__name__ != "Decimal":
                value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_download(*, fmt: str, header, rows, filename: str):
    """The HTTP answer carrying the table as `filename.csv` or `filename.xlsx`."""
    from django.http import HttpResponse

    if fmt == "xlsx":
        body = table_xlsx(header, rows, title=filename)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = table_csv(header, rows), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in filename)[:80] or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response
