"""Builders for the reports tests: a company with a few KPIs valued over two years, and schedules."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from kpis.models import Kpi
from kpis.periods import add_months
from reports.models import ReportSchedule
from tests.kpis.ui.kpi_data import annotate, make_kpi, set_target, set_value

REPORT_MONTH = date(2026, 10, 1)  # the month a monthly report sent in November covers


def kpis_with_history(org, *, month: date = REPORT_MONTH) -> dict[str, Kpi]:
    """Revenue (everyone) and EBE (cost detail), 24 months each up to `month`; revenue has a target and a note."""
    revenue = make_kpi(org, slug="revenue", name="Revenue", visibility="kpis.view")
    ebe = make_kpi(org, slug="ebe", name="EBE", visibility="kpis.view_costs")
    for i in range(24):
        m = add_months(month, -i)
        set_value(revenue, m, str(100_000 + (23 - i) * 1_000))
        set_value(ebe, m, str(20_000 + (23 - i) * 100))
    set_value(revenue, month, "123456")
    set_value(revenue, add_months(month, -1), "112233")
    set_value(revenue, add_months(month, -12), "100000")
    set_target(revenue, month, "120000")
    set_value(ebe, month, "24680")
    annotate(revenue, month, "Autumn sale brought orders forward")
    return {"revenue": revenue, "ebe": ebe}


def make_schedule(org, *, kind: str = "cfo", frequency: str = "monthly", day: int = 3, hour: int = 8,
                  roles: list[str] | None = None, members=(), consultancy=None, time_zone: str = "Europe/Paris",
                  is_enabled: bool = True) -> ReportSchedule:
    schedule = ReportSchedule.objects.create(organization=org, kind=kind, frequency=frequency, day=day, hour=hour,
                                             time_zone=time_zone, roles=roles or [], consultancy=consultancy,
                                             is_enabled=is_enabled)
    schedule.members.set(members)
    return schedule


def png_bytes(*, size=(400, 200), colour=(200, 30, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    # Words only, one space between them: a table cell wraps its text over several lines.
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())
