"""The portfolio's one door to alerts: what is open in each client, as the consultant's role there sees it."""

from __future__ import annotations

from alerts.models import Alert
from alerts.selectors import live_alerts_across
from portfolio.clients import ServedClient


def open_alert_counts(clients: list[ServedClient]) -> dict[int, int]:
    """{organization id: open alerts the viewer's role may see}, every client named; 1 query (inside
    clients_read_context)."""
    counts = {c.org.pk: 0 for c in clients}
    for alert in live_alerts_across({c.org.pk: c.membership.role for c in clients}):
        if alert.status == Alert.Status.OPEN:
            counts[alert.organization_id] += 1
    return counts
