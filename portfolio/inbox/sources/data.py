"""Inbox items from the data coming in: connections failing or partly failing, records rejected this week."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.kept_sql import kept_query
from imports.models import ImportRun
from integrations.models import Connection, SyncRun
from portfolio.clients import ServedClient
from portfolio.inbox.base import HORIZON_DAYS, InboxItem, InboxSource, link


class SyncsFailing(InboxSource):
    key = "syncs"
    capability = "integrations.view"
    FAILING = (Connection.Status.NEEDS_ATTENTION, Connection.Status.PARTLY_SYNCED)

    @classmethod
    def label(cls) -> str:
        return _("Syncs failing or partly failing")

    @classmethod
    def urgent_label(cls) -> str:  # a connection that needs attention is not late: it is failing now
        return _("urgent")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        allowed = self.allowed(clients)
        ids = tuple(allowed)
        connections = kept_query(("portfolio.inbox_syncs", ids), lambda: Connection.objects.filter(
            organization_id__in=ids, status__in=self.FAILING,  # scoped: the served clients only
        ).only("id", "organization_id", "provider", "label", "status", "last_success_at"))
        out = []
        for c in connections:
            org = allowed[c.organization_id].org
            out.append(InboxItem(
                org=org, source=self.key, title=c.label or c.provider.title(), detail=str(c.get_status_display()),
                when=timezone.localdate(c.last_success_at) if c.last_success_at else None,
                url=link("integrations:connection_detail", org, connection_id=c.pk),
                is_urgent=c.status == Connection.Status.NEEDS_ATTENTION))
        return out


class RejectedRecords(InboxSource):
    """Sync runs of the week that rejected records, and imports of the week with rows to fix."""

    key = "rejected"
    capability = "integrations.view"

    @classmethod
    def label(cls) -> str:
        return _("Rejected records")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        """The sync runs and the imports in one query (a UNION ALL): each row its kind, id, client, the source's
        label and provider (a file's name), the count rejected and when."""
        allowed = self.allowed(clients)
        # To the minute, so that the query's SQL is compiled once a minute rather than on every view.
        since = (timezone.now() - timedelta(days=HORIZON_DAYS)).replace(second=0, microsecond=0)
        ids = tuple(allowed)
        importers = tuple(pk for pk, c in allowed.items() if c.membership.can("imports.manage"))

        def build():
            runs = (
                SyncRun.objects.filter(  # scoped: the served clients only (clients_read_context)
                    organization_id__in=ids, created_at__gte=since, rejections__isnull=False)
                .order_by().values("id").annotate(src=Value(0), n=Count("rejections"))
                .values_list("src", "id", "organization_id", "connection__label", "connection__provider", "n",
                             "created_at")
            )
            imports = ImportRun.objects.filter(  # scoped: the served clients only (clients_read_context)
                organization_id__in=importers, created_at__gte=since, rows_rejected__gt=0,
            ).order_by().annotate(src=Value(1), no_label=Value("")).values_list(
                "src", "id", "organization_id", "no_label", "file_name", "rows_rejected", "created_at")
            return runs.union(imports, all=True).order_by("src", "id")

        out = []
        for src, pk, org_id, label, name, n, created_at in kept_query(
                ("portfolio.inbox_rejected", ids, importers, since), build):
            org = allowed[org_id].org
            if src == 0:
                out.append(InboxItem(
                    org=org, source=self.key, title=label or name.title(),
                    detail=ngettext("%(n)s record rejected", "%(n)s records rejected", n) % {"n": n},
                    when=timezone.localdate(created_at),
                    url=link("integrations:sync_run_detail", org, sync_run_id=pk)))
            else:
                out.append(InboxItem(
                    org=org, source=self.key, title=name,
                    detail=ngettext("%(n)s row rejected", "%(n)s rows rejected", n) % {"n": n},
                    when=timezone.localdate(created_at),
                    url=link("imports:import_run_detail", org, run_id=pk)))
        return out
