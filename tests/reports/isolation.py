"""How the route walkers make the objects the reports routes name (see tests/isolation_registry.py)."""

from datetime import date

from django.core.files.base import ContentFile

from accounts.capabilities import Role
from reports.models import SentReport
from tests.factories import make_member
from tests.reports.helpers import make_schedule


def _sent_report_id(org) -> int:
    member = make_member(org, role=Role.CEO)
    report = SentReport.objects.create(
        organization=org, kind="ceo", recipient=member, recipient_email=member.user.email,
        recipient_role=member.role, language="en", period_key="2026-10", period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31), status=SentReport.Status.SENT)
    report.pdf.save("walker.pdf", ContentFile(b"%PDF-1.4 walker"), save=True)
    return report.pk


URL_KWARG_FACTORIES = {
    "schedule_id": lambda org: make_schedule(org, roles=[Role.CFO]).pk,
    "sent_report_id": _sent_report_id,
}

# The link of every scheduled report's e-mail: no login, the signed token names the recipient and the schedule
# (like alerts_unsubscribe; its `token` comes from tests/accounts/isolation.py: not a token, so a 404).
PUBLIC_ROUTES = {"reports_unsubscribe"}
