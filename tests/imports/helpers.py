"""Files as people's tools write them, and a one-call upload through the services."""

from __future__ import annotations

import io

from django.test import TestCase

from imports import services
from imports.models import ImportRun

ORDERS_HEADER_FR = "Numéro de commande;Date de commande;Expédiée le;Livraison promise;Livrée le;Quantité;Montant HT;Canal"


def csv_bytes(lines: list[str], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(org, member, content: bytes, *, kind: str = "orders", name: str = "orders.csv") -> ImportRun:
    """Upload and validate (tasks run in-process in tests); returns the run as the page would show it."""
    with TestCase.captureOnCommitCallbacks(execute=True):  # the validation task runs after the commit
        run = services.import_run_create(org=org, by=member, kind=kind, file_name=name, content=content)
    run.refresh_from_db()
    return run


def confirm(run: ImportRun, member) -> ImportRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.import_run_confirm(run=run, by=member)
    run.refresh_from_db()
    return run
