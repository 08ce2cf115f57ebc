"""Inbox items from the cascade: check-ins due, action plans overdue, key results whose data went stale."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from config.kept_sql import kept_query
from kpis.models import KpiValue
from objectives.models import ActionPlan, KeyResult, Objective
from objectives.selectors import STALE_DATA_DAYS
from portfolio.clients import ServedClient
from portfolio.inbox.base import HORIZON_DAYS, InboxItem, InboxSource, link


class CheckInsDue(InboxSource):
    key = "check_ins"
    capability = "objectives.check_in"

    @classmethod
    def label(cls) -> str:
        return _("Check-ins due")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        allowed = self.allowed(clients)
        ids = tuple(allowed)
        objectives = kept_query(("portfolio.inbox_check_ins", ids, today), lambda: (
            Objective.objects.filter(  # scoped: the served clients only (clients_read_context)
                organization_id__in=ids, status=Objective.Status.ACTIVE, period_start__lte=today,
                period_end__gte=today)
            .annotate(last_date=Max("check_ins__date"))
            .only("id", "organization_id", "title", "period_start", "check_in_every_days")))
        out = []
        for o in objectives:
            due = (o.last_date + timedelta(days=o.check_in_every_days)) if o.last_date else o.period_start
            if due >= today + timedelta(days=HORIZON_DAYS):
                continue
            org = allowed[o.organization_id].org
            detail = (_("last check-in on %(date)s") % {"date": date_format(o.last_date, "SHORT_DATE_FORMAT")} if o.last_date
                      else _("no check-in yet"))
            out.append(InboxItem(org=org, source=self.key, title=o.title, detail=detail, when=due,
                                 url=link("objectives:objective_detail", org, objective_id=o.pk),
                                 is_urgent=due < today))
        return out


class ActionPlansOverdue(InboxSource):
    key = "action_plans"
    capability = "objectives.view"
    OPEN = (ActionPlan.Status.PLANNED, ActionPlan.Status.IN_PROGRESS, ActionPlan.Status.BLOCKED)

    @classmethod
    def label(cls) -> str:
        return _("Action plans overdue or due this week")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        allowed = self.allowed(clients)
        ids = tuple(allowed)
        plans = kept_query(("portfolio.inbox_plans", ids, today), lambda: ActionPlan.objects.filter(
            organization_id__in=ids, status__in=self.OPEN,  # scoped: the served clients only (clients_read_context)
            due_date__lt=today + timedelta(days=HORIZON_DAYS),
        ).only("id", "organization_id", "objective_id", "title", "status", "due_date"))
        out = []
        for p in plans:
            org = allowed[p.organization_id].org
            detail = _("overdue") if p.due_date < today else _("due this week")
            if p.status == ActionPlan.Status.BLOCKED:
                detail = _("%(when)s, blocked") % {"when": detail}
            out.append(InboxItem(org=org, source=self.key, title=p.title, detail=detail, when=p.due_date,
                                 url=link("objectives:objective_detail", org, objective_id=p.objective_id),
                                 is_urgent=p.due_date < today))
        return out


class KeyResultsGoingStale(InboxSource):
    """A key result is stale as the cascade says (objectives.selectors): a manual one not updated for two
    check-in cadences, one bound to a KPI whose latest monthly value is older than STALE_DATA_DAYS."""

    key = "key_results"
    capability = "objectives.view"

    @classmethod
    def label(cls) -> str:
        return _("Key results going stale")

    def items(self, clients: list[ServedClient], *, today: date) -> list[InboxItem]:
        allowed = self.allowed(clients)
        now = timezone.now()
        def build():
            latest = KpiValue.objects.filter(organization=OuterRef("organization"), kpi=OuterRef("kpi"),
                                             grain="month", dimension_value="").order_by("-period_start")
            return (
                KeyResult.objects.filter(  # scoped: the served clients only (clients_read_context)
                    organization_id__in=ids, objective__status=Objective.Status.ACTIVE,
                    objective__period_start__lte=today, objective__period_end__gte=today)
                .annotate(computed_at=Subquery(latest.values("computed_at")[:1]))
                .select_related("objective")
                .only("id", "organization_id", "title", "is_manual", "manual_value_at", "kpi_id",
                      "objective__id", "objective__check_in_every_days", "objective__title")
            )

        ids = tuple(allowed)
        krs = kept_query(("portfolio.inbox_key_results", ids, today), build)
        out = []
        for kr in krs:
            if kr.is_manual:
                since = kr.manual_value_at
                stale = since is None or since < now - timedelta(days=2 * kr.objective.check_in_every_days)
            elif kr.kpi_id:
                since = kr.computed_at
                stale = since is None or since < now - timedelta(days=STALE_DATA_DAYS)
            else:
                continue
            if not stale:
                continue
            org = allowed[kr.organization_id].org
            detail = (_("last updated on %(date)s") % {"date": date_format(timezone.localdate(since), "SHORT_DATE_FORMAT")} if since
                      else _("no value yet"))
            out.append(InboxItem(org=org, source=self.key, title=f"{kr.objective.title} — {kr.title}",
                                 detail=detail, when=timezone.localdate(since) if since else None,
                                 url=link("objectives:objective_detail", org, objective_id=kr.objective_id)))
        return out
