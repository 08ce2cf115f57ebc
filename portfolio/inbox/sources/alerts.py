"""Inbox items from the alerts: each live alert of a client that the consultant's role there may see."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert, Severity
from alerts.selectors import alert_message, live_alerts_across
from portfolio.clients import ServedClient
from portfolio.inbox.base import InboxItem, InboxSource, link


class LiveAlerts(InboxSource):
    key = "alerts"
    capability = "alerts.view"

    @classmethod
    def label(cls) -> str:
        return _("Alerts")

    @classmethod
    def urgent_label(cls) -> str:  # a critical alert is not late: it has just been raised, and is still open
        return _("urgent")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        allowed = self.allowed(clients)
        alerts = live_alerts_across({pk: c.membership.role for pk, c in allowed.items()})
        severities = dict(Severity.choices)  # get_severity_display() builds this dict again for every alert
        return [InboxItem(
            org=allowed[a.organization_id].org, source=self.key, title=alert_message(a),
            detail=str(severities.get(a.severity, a.severity)), when=timezone.localdate(a.opened_at),
            url=link("alerts:alert_detail", allowed[a.organization_id].org, alert_id=a.pk),
            is_urgent=a.severity == Severity.CRITICAL and a.status == Alert.Status.OPEN) for a in alerts]
