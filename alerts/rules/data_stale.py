"""A connection brought no fresh data for N days (paused, stuck or failing: the figures are getting old)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule


class DataStaleRule(Rule):
    kind = "data_stale"
    label = _l("Data stale")
    defaults = {"days": 3}
    is_time_based = True

    def evaluate(self, ctx: Context) -> list[Finding]:
        from integrations.models import Connection

        days = int(self.params.get("days", 3))
        cutoff = ctx.now - timedelta(days=days)
        findings = []
        for connection in Connection.objects.for_org(ctx.org).exclude(status=Connection.Status.DISCONNECTED):
            if connection.is_firm or connection.created_at > cutoff:
                continue
            last = connection.last_success_at
            if last is not None and last > cutoff:
                continue
            age = (ctx.now - (last or connection.created_at)).days
            findings.append(Finding(
                subject_key=f"stale:{connection.pk}", figure=Decimal(age), threshold=Decimal(days),
                params={"connection": str(connection), "days": age, "never": last is None},
                capabilities=frozenset({"kpis.view"}),
                link=ctx.url("integrations:connection_detail", connection_id=connection.pk)))
        return findings

    def message(self, params) -> str:
        if params.get("never"):
            return _("%(connection)s has never synced successfully (%(days)s days).") % params
        return _("No fresh data from %(connection)s for %(days)s days.") % params
