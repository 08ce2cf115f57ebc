"""What an inbox source is: one kind of item that needs the consultant, read for every client at once."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization
from portfolio.clients import ServedClient

# How soon "this week" looks ahead for what falls due.
HORIZON_DAYS = 7


@dataclass(frozen=True)
class InboxItem:
    org: Organization
    source: str  # the source's key, for the filter and the icon
    title: str
    detail: str
    url: str
    when: date | None  # when it fell or falls due, or happened
    is_urgent: bool = False  # overdue, failing: sorted first


class InboxSource(ABC):
    """A source reads its items for all the clients in one query (inside clients_read_context), and
    only in the clients where the viewer's role holds `capability` (the page the item opens needs it)."""

    key: ClassVar[str]
    capability: ClassVar[str]

    @classmethod
    @abstractmethod
    def label(cls) -> str: ...

    @classmethod
    def urgent_label(cls) -> str:
        """What an urgent item of this source says beside its date: its due date has passed."""
        return _("late")

    @abstractmethod
    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]: ...

    def allowed(self, clients: list[ServedClient]) -> dict[int, ServedClient]:
        return {c.org.pk: c for c in clients if c.membership.can(self.capability)}


def link(name: str, org: Organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})
