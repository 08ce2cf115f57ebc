"""The inbox: what needs the consultant this week in every client they serve, one list."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from portfolio.clients import ServedClient
from portfolio.inbox.base import InboxItem
from portfolio.inbox.registry import SOURCES, source, sources


def inbox_items(clients: list[ServedClient], *, only_source: str = "", today: date | None = None) -> list[InboxItem]:
    """Every source's items, urgent first then by date; one query per source whatever the number of
    clients (inside clients_read_context). `only_source` keeps one source (an unknown key keeps none)."""
    today = today or timezone.localdate()
    chosen = [source(only_source)] if only_source in SOURCES else ([] if only_source else sources())
    items = [item for s in chosen for item in s.items(clients, today=today)]
    return sorted(items, key=lambda i: (not i.is_urgent, i.when or date.max, i.org.name, i.title))
