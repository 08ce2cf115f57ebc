"""An open objective's check-in is overdue: its cadence plus a grace of N days has passed."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.capabilities import Role
from alerts.rules.base import Context, Finding, Rule


class CheckInOverdueRule(Rule):
    kind = "check_in_overdue"
    label = _l("Check-in overdue")
    defaults = {"grace_days": 3}
    default_severity = "info"
    default_roles = (Role.CEO, Role.COO)
    is_time_based = True

    def evaluate(self, ctx: Context) -> list[Finding]:
        from objectives.models import Objective
        from objectives.selectors import _objectives_queryset

        grace = int(self.params.get("grace_days", 3))
        objectives = _objectives_queryset(ctx.org).filter(
            status=Objective.Status.ACTIVE, period_start__lte=ctx.today, period_end__gte=ctx.today)
        findings = []
        for o in objectives:
            # Never checked in: counted from the later of the period's start and the objective's creation.
            last = o.last_ci_date or max(o.period_start, timezone.localdate(o.created_at))
            overdue = (ctx.today - last).days - o.check_in_every_days
            if overdue <= grace:
                continue
            findings.append(Finding(
                subject_key=f"objective:{o.pk}", figure=Decimal(overdue), threshold=Decimal(grace),
                objective_id=o.pk,
                params={"objective": o.title, "days": overdue, "last": o.last_ci_date.isoformat() if o.last_ci_date else ""},
                capabilities=frozenset({"objectives.view"}),
                link=ctx.url("objectives:objective_detail", objective_id=o.pk)))
        return findings

    def message(self, params) -> str:
        return _("The check-in of “%(objective)s” is %(days)s days overdue.") % params
