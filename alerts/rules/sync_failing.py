"""A connection's syncs have been failing, or only partly succeeding, for N hours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.capabilities import Role
from alerts.rules.base import Context, Finding, Rule, as_text

BROKEN = ("failed", "dead")


class SyncFailingRule(Rule):
    kind = "sync_failing"
    label = _l("Sync failing")
    defaults = {"hours": 24}
    default_severity = "critical"
    default_roles = (Role.CEO, Role.ADMIN)
    is_time_based = True

    def evaluate(self, ctx: Context) -> list[Finding]:
        from integrations.models import Connection, SyncRun

        hours = int(self.params.get("hours", 24))
        since = ctx.now - timedelta(hours=hours)
        connections = [c for c in Connection.objects.for_org(ctx.org).exclude(
            status__in=[Connection.Status.PAUSED, Connection.Status.DISCONNECTED]) if not c.is_firm]
        if not connections:
            return []
        # The runs that ended, newest first: a failing streak is the runs since the last clean success.
        runs = (SyncRun.objects.for_org(ctx.org).filter(connection__in=connections, finished_at__isnull=False)
                .exclude(state=SyncRun.State.CANCELLED).order_by("connection_id", "-finished_at")
                .only("connection_id", "state", "finished_at", "errors", "skipped"))
        streaks: dict[int, list] = {}
        clean: set[int] = set()
        for run in runs:
            if run.connection_id in clean:
                continue
            if run.state == SyncRun.State.DONE and not run.errors and not run.skipped:
                clean.add(run.connection_id)
                continue
            streaks.setdefault(run.connection_id, []).append(run)
        findings = []
        for connection in connections:
            streak = streaks.get(connection.pk)
            if not streak:
                continue
            first_bad = streak[-1].finished_at
            if first_bad > since:
                continue  # failing, but not for long enough yet
            broken = any(r.state in BROKEN for r in streak[:1])
            failing_hours = (ctx.now - first_bad).total_seconds() / 3600
            findings.append(Finding(
                subject_key=f"connection:{connection.pk}", figure=Decimal(str(round(failing_hours, 1))),
                threshold=Decimal(hours), severity=None if broken else "warning",
                params={"connection": str(connection), "hours": as_text(failing_hours, 0), "partly": not broken,
                        "runs": len(streak), "last_error": (streak[0].errors or [""])[-1][:300]},
                capabilities=frozenset({"integrations.view"}),
                link=ctx.url("integrations:connection_detail", connection_id=connection.pk)))
        return findings

    def message(self, params) -> str:
        if params.get("partly"):
            return _("%(connection)s has synced only partly for %(hours)s hours.") % params
        return _("%(connection)s has been failing to sync for %(hours)s hours.") % params
