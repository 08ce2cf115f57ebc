"""Each client's health at a glance, for the portfolio table: read from what the engine materialised.

All clients are read at once, one query per table, so the page makes the same number of queries with 3
clients or 30. The month shown is the last closed calendar month (the running one is still filling);
objectives are counted by the confidence of their last check-in, the status their owners gave them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone

from config.kept_sql import kept_query
from integrations.models import Connection, SyncRun
from kpis.models import Kpi, KpiTarget, KpiValue
from kpis.periods import add_months
from kpis.selectors import kpi_status
from objectives.models import CheckIn, Objective
from portfolio.alerts import open_alert_counts
from portfolio.clients import ServedClient

# The figures of the table, by the catalogue's slugs; each is shown only where the viewer's role may see it.
HEALTH_KPIS = ("revenue", "gross_margin_pct", "net_cash", "runway_months", "dso", "late_invoices_amount")
SPARK_KPI = "revenue"
SPARK_MONTHS = 12
SYNC_STALE_AFTER = timedelta(days=2)  # syncs run at least daily: two days without one is a flag
CONFIDENCE_RANK = {CheckIn.Confidence.OFF_TRACK: 0, CheckIn.Confidence.AT_RISK: 1, CheckIn.Confidence.ON_TRACK: 2}


@dataclass
class ClientHealth:
    client: ServedClient
    month: date
    figures: dict[str, Decimal | None] = field(default_factory=dict)  # slug → value (None: no value)
    hidden: set[str] = field(default_factory=set)  # slugs the viewer's role may not see in this client
    revenue_target: Decimal | None = None
    revenue_status: str = "no_data"
    spark_months: list[date] = field(default_factory=list)
    spark: list[Decimal | None] = field(default_factory=list)
    objectives: dict[str, int] = field(default_factory=lambda: {"on_track": 0, "at_risk": 0, "off_track": 0,
                                                                 "no_check_in": 0})
    top_risk: Objective | None = None
    open_alerts: int = 0
    last_sync_at: datetime | None = None
    flags: list[str] = field(default_factory=list)  # codes: sync_failing, sync_stale, never_synced, rejected, no_values

    @property
    def org(self):
        return self.client.org


def last_closed_month(today: date) -> date:
    return add_months(today, -1)


def client_health(clients: list[ServedClient], *, today: date | None = None) -> list[ClientHealth]:
    """One row per client; 5 queries whatever the number of clients (inside clients_read_context)."""
    today = today or timezone.localdate()
    month = last_closed_month(today)
    first = add_months(month, -(SPARK_MONTHS - 1))
    months = [add_months(first, i) for i in range(SPARK_MONTHS)]
    rows = {c.org.pk: ClientHealth(client=c, month=month, spark_months=months) for c in clients}
    if not rows:
        return []
    ids = list(rows)
    _read_figures(rows, ids, months)
    _read_objectives(rows, ids, today)
    _read_syncs(rows, ids, today)
    for org_id, count in open_alert_counts(clients).items():
        if org_id in rows:
            rows[org_id].open_alerts = count
    return list(rows.values())


def _read_figures(rows: dict[int, ClientHealth], ids: list[int], months: list[date]) -> None:
    """The health KPIs' values of the last closed month, the spark KPI's of the spark's months and the revenue
    target of the last closed month; 1 query (a UNION ALL: the values, then the targets)."""
    key, month = tuple(ids), months[-1]

    def build():
        wanted = (Q(kpi__slug__in=HEALTH_KPIS, period_start=month)  # the other months of the others are not shown
                  | Q(kpi__slug=SPARK_KPI, period_start__gte=months[0], period_start__lte=month))
        values = KpiValue.objects.filter(  # scoped: the served clients only (clients_read_context)
            wanted, organization_id__in=key, grain="month", dimension_value="",
        ).annotate(src=Value(0), no_threshold=Value(None, output_field=DecimalField())).values_list(
            "src", "organization_id", "kpi__slug", "period_start", "value", "no_threshold")
        targets = KpiTarget.objects.filter(
            organization_id__in=key, kpi__slug="revenue", grain="month",  # scoped: the served clients only
            period_start=month).annotate(src=Value(1)).values_list(
            "src", "organization_id", "kpi__slug", "period_start", "value", "at_risk_threshold")
        return values.order_by().union(targets.order_by(), all=True)  # SQLite: no ORDER BY inside a compound

    figures = kept_query(("portfolio.health_figures", key, months[0], month), build)
    series: dict[int, dict[date, Decimal | None]] = defaultdict(dict)
    for src, org_id, slug, start, value, _threshold in figures:
        if src:
            continue
        row = rows[org_id]
        if slug == SPARK_KPI:
            series[org_id][start] = value
        if start == row.month:
            row.figures[slug] = value
    for org_id, row in rows.items():
        row.hidden = {slug for slug in HEALTH_KPIS if not row.client.may_see(slug)}
        for slug in row.hidden:
            row.figures.pop(slug, None)
        if SPARK_KPI not in row.hidden:
            row.spark = [series[org_id].get(m) for m in months]
        if all(row.figures.get(s) is None for s in HEALTH_KPIS if s not in row.hidden):
            row.flags.append("no_values")
    for src, org_id, _slug, _start, value, threshold in figures:
        row = rows[org_id]
        if not src or "revenue" in row.hidden:
            continue
        row.revenue_target = value
        row.revenue_status = kpi_status(Kpi(direction=Kpi.Direction.HIGHER), value=row.figures.get("revenue"),
                                        target=value, at_risk_threshold=threshold)


def _read_objectives(rows: dict[int, ClientHealth], ids: list[int], today: date) -> None:
    def build():
        last = CheckIn.objects.filter(organization=OuterRef("organization"), objective=OuterRef("pk")).order_by(
            "-date", "-id")
        return (
            Objective.objects.filter(  # scoped: the served clients only (clients_read_context)
                organization_id__in=key, status=Objective.Status.ACTIVE,
                period_start__lte=today, period_end__gte=today)
            .annotate(last_confidence=Subquery(last.values("confidence")[:1]))
            .only("id", "organization_id", "title", "period_end")
            .order_by("period_end", "id")
        )

    key = tuple(ids)
    objectives = kept_query(("portfolio.health_objectives", key, today), build)
    for o in objectives:
        row = rows[o.organization_id]
        if not row.client.membership.can("objectives.view"):
            continue
        row.objectives[o.last_confidence or "no_check_in"] += 1
        rank = CONFIDENCE_RANK.get(o.last_confidence)
        if rank is not None and rank < 2 and (
                row.top_risk is None or rank < CONFIDENCE_RANK[row.top_risk.last_confidence]):
            row.top_risk = o


def _read_syncs(rows: dict[int, ClientHealth], ids: list[int], today: date) -> None:
    week_ago = timezone.now() - timedelta(days=7)
    key = tuple(ids)
    connections = kept_query(("portfolio.health_connections", key), lambda: (
        Connection.objects.filter(organization_id__in=key)  # scoped: the served clients only
        .exclude(status=Connection.Status.DISCONNECTED)
        .values("organization_id")
        .annotate(last=Max("last_success_at"), failing=Count("id", filter=Q(status__in=[
            Connection.Status.NEEDS_ATTENTION, Connection.Status.PARTLY_SYNCED])))))
    for c in connections:
        row = rows[c["organization_id"]]
        row.last_sync_at = c["last"]
        if c["failing"]:
            row.flags.append("sync_failing")
        if c["last"] is None:
            row.flags.append("never_synced")
        elif timezone.now() - c["last"] > SYNC_STALE_AFTER:
            row.flags.append("sync_stale")
    rejected = (
        SyncRun.objects.filter(organization_id__in=ids, created_at__gte=week_ago)  # scoped: the served clients only
        .filter(rejections__isnull=False).values("organization_id").annotate(n=Count("rejections"))
    )
    for r in rejected:
        rows[r["organization_id"]].flags.append("rejected")
