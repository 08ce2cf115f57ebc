"""This app's part of the demo story (see accounts/demo.py).

Cap & Route Conseil uploads its logo and colours once (a small PNG drawn here with Pillow); Maison Lumen
has its own. Every company gets a schedule per role (CEO, CFO, CRO and CMO monthly, COO and CXO weekly);
Maison Lumen's monthly CFO report is sent by the consultancy, so it carries Cap & Route's logo, and last
month's is already in the archive with its PDF. The review the objectives step recorded is exported as a
PDF pack from its page.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image, ImageDraw

from accounts.capabilities import Role
from accounts.demo import DemoContext
from accounts.models import Membership
from reports import services
from reports.models import ReportSchedule
from reports.schedule import last_complete_period

SCHEDULES = [  # (kind, frequency, day, hour, role)
    (ReportSchedule.Kind.CEO, ReportSchedule.Frequency.MONTHLY, 2, 8, Role.CEO),
    (ReportSchedule.Kind.CFO, ReportSchedule.Frequency.MONTHLY, 3, 8, Role.CFO),
    (ReportSchedule.Kind.COO, ReportSchedule.Frequency.WEEKLY, 1, 7, Role.COO),
    (ReportSchedule.Kind.CRO, ReportSchedule.Frequency.MONTHLY, 3, 9, Role.CRO),
    (ReportSchedule.Kind.CMO, ReportSchedule.Frequency.MONTHLY, 3, 9, Role.CMO),
    (ReportSchedule.Kind.CXO, ReportSchedule.Frequency.WEEKLY, 1, 8, Role.CXO),
]


def logo_png(*, initials: str, colour: tuple[int, int, int], accent: tuple[int, int, int]) -> bytes:
    """A small logo: a compass rose in a circle beside the initials, drawn in code (no asset to ship)."""
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 112, 112), fill=colour)
    draw.polygon([(60, 16), (72, 60), (60, 104), (48, 60)], fill=(255, 255, 255))
    draw.polygon([(16, 60), (60, 48), (104, 60), (60, 72)], fill=accent)
    draw.text((128, 30), initials, fill=colour, font_size=56)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.png", content, content_type="image/png")


def seed(ctx: DemoContext) -> None:
    firm, lumen = ctx.consultancy, ctx.companies["lumen"]
    firm_ceo = Membership.objects.for_org(firm).get(role=Role.CEO)
    services.branding_update(org=firm, by=firm_ceo, display_name="Cap & Route Conseil", primary_colour="#16324f",
                             accent_colour="#e07a1f",
                             logo=_upload(logo_png(initials="C&R", colour=(22, 50, 79), accent=(224, 122, 31))))
    services.branding_update(org=lumen, by=ctx.member("lumen", Role.CEO), display_name="Maison Lumen",
                             primary_colour="#6b3e26", accent_colour="#c9a227",
                             logo=_upload(logo_png(initials="ML", colour=(107, 62, 38), accent=(201, 162, 39))))
    for key, org in ctx.companies.items():
        ceo = ctx.member(key, Role.CEO)
        for kind, frequency, day, hour, role in SCHEDULES:
            consultancy = firm if (key == "lumen" and kind == ReportSchedule.Kind.CFO) else None
            schedule = services.schedule_save(by=ceo, org=org, kind=kind, frequency=frequency, day=day, hour=hour,
                                              time_zone="Europe/Paris", roles=[role], members=[],
                                              consultancy=consultancy)
            if consultancy is not None:
                # Last month's report is in the archive already (kept in memory, not printed to the console).
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                    services.schedule_deliver(schedule=schedule,
                                              period=last_complete_period(frequency, today=ctx.today))
    ctx.log("  reports: Maison Lumen's monthly CFO report (Cap & Route's branding) is in cfo@lumen.demo's archive")


def seed_team_digests(ctx: DemoContext) -> None:
    """After the dashboards' step: Maison Lumen's Logistique dashboard goes weekly to the logistics team
    (those it is shared with, and its owner, the COO), Monday 7:00."""
    from dashboards.models import Dashboard

    lumen = ctx.companies["lumen"]
    dashboard = Dashboard.objects.for_org(lumen).get(name="Logistique")
    services.schedule_save(by=ctx.member("lumen", Role.CEO), org=lumen, kind=ReportSchedule.Kind.TEAM,
                           frequency=ReportSchedule.Frequency.WEEKLY, day=1, hour=7, time_zone="Europe/Paris",
                           roles=[], members=[], dashboard=dashboard)
    ctx.log("  reports: Maison Lumen's Logistique dashboard is sent weekly to the logistics team")
