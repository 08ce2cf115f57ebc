"""Each client against its group: the median and quartiles of comparable KPIs over the group's clients.

A benchmark is computed only over the clients the viewer serves and, KPI by KPI, may see there (a COO
engagement sees no gross margin): so it never shows a figure the viewer could not open client by client,
and the group's size is always shown beside it. Client companies do not see benchmarks at all: their
members would need other tenants' figures to place themselves, even anonymised (README, "Benchmarks").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from accounts.models import Organization
from kpis.models import Kpi, KpiValue
from kpis.periods import add_months
from portfolio.clients import ServedClient
from portfolio.health import last_closed_month
from portfolio.models import ClientGroup, ClientGroupMember

GROWTH = "revenue_growth"  # not a catalogue KPI: the last 3 closed months against the same months a year before
# (slug, label, unit, lower is better)
BENCHMARK_KPIS = (
    ("gross_margin_pct", _l("Gross margin %"), Kpi.Unit.PERCENT, False),
    ("dso", _l("DSO"), Kpi.Unit.DAYS, True),
    (GROWTH, _l("Revenue growth (3 months, year on year)"), Kpi.Unit.PERCENT, False),
    ("cost_per_unit", _l("Cost per unit"), Kpi.Unit.EUR, True),
)


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(Q1, median, Q3) by linear interpolation between closest ranks (the "inclusive" method of Python's
    statistics.quantiles, and Excel's QUARTILE.INC), in Decimal."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    n = len(ordered)

    def at(p: Decimal) -> Decimal:
        pos = p * (n - 1)
        low = int(pos)
        high = min(low + 1, n - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)

    return at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75"))


@dataclass
class Placement:
    org: Organization
    value: Decimal
    quartile: int  # 1 = the best quarter of the group for this KPI, 4 = the worst


@dataclass
class KpiBenchmark:
    slug: str
    label: str
    unit: str
    lower_is_better: bool
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None
    placements: list[Placement] = field(default_factory=list)
    hidden_in: int = 0  # clients of the group where the viewer's role may not see this KPI

    @property
    def size(self) -> int:
        return len(self.placements)


@dataclass
class GroupBenchmark:
    group: ClientGroup
    clients: list[ServedClient]
    kpis: list[KpiBenchmark]


def _quartile_of(value: Decimal, q1: Decimal, median: Decimal, q3: Decimal, *, lower_is_better: bool) -> int:
    """1 for the best quarter of the group, 4 for the worst; a value on a boundary counts in the better one."""
    if lower_is_better:
        return 1 if value <= q1 else 2 if value <= median else 3 if value <= q3 else 4
    return 1 if value >= q3 else 2 if value >= median else 3 if value >= q1 else 4


def benchmark_values(clients: list[ServedClient], *, month: date) -> dict[int, dict[str, Decimal]]:
    """{client id: {slug: value}} for the benchmark KPIs of `month` the viewer may see; 1 query."""
    if not clients:
        return {}
    slugs = [s for s, *_ in BENCHMARK_KPIS if s != GROWTH] + ["revenue"]
    growth_months = [add_months(month, -i) for i in range(3)]
    before = [add_months(m, -12) for m in growth_months]
    rows = KpiValue.objects.filter(  # scoped: the served clients only (clients_read_context)
        organization_id__in=[c.org.pk for c in clients], grain="month", dimension_value="", kpi__slug__in=slugs,
        period_start__in=[month, *growth_months, *before],
    ).values_list("organization_id", "kpi__slug", "period_start", "value")
    by_client = {c.org.pk: c for c in clients}
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    revenue: dict[int, dict[date, Decimal | None]] = defaultdict(dict)
    for org_id, slug, start, value in rows:
        if slug == "revenue":
            revenue[org_id][start] = value
        if start == month and value is not None and slug != "revenue" and by_client[org_id].may_see(slug):
            out[org_id][slug] = value
    for org_id, series in revenue.items():
        if not by_client[org_id].may_see("revenue"):
            continue
        now = [series.get(m) for m in growth_months]
        then = [series.get(m) for m in before]
        if None in now or None in then or sum(then) <= 0:
            continue
        out[org_id][GROWTH] = (sum(now) / sum(then) - 1) * 100
    return out


def group_benchmarks(consultancy: Organization, clients: list[ServedClient],
                     *, today: date | None = None) -> tuple[date, list[GroupBenchmark]]:
    """The consultancy's groups, each benchmarked over the clients of it the viewer serves; 2 queries."""
    month = last_closed_month(today or timezone.localdate())
    served = {c.org.pk: c for c in clients}
    members: dict[int, list[ServedClient]] = defaultdict(list)
    groups: dict[int, ClientGroup] = {}
    for m in ClientGroupMember.objects.for_org(consultancy).select_related("group").order_by(
            "group__kind", "group__name", "client__name"):
        groups[m.group_id] = m.group
        if m.client_id in served:
            members[m.group_id].append(served[m.client_id])
    values = benchmark_values([c for c in clients if any(c in ms for ms in members.values())], month=month)
    out = []
    for group_id, group in groups.items():
        group_clients = members[group_id]
        if not group_clients:
            continue
        kpis = []
        for slug, label, unit, lower in BENCHMARK_KPIS:
            bench = KpiBenchmark(slug=slug, label=str(label), unit=unit, lower_is_better=lower)
            points = [(c.org, values.get(c.org.pk, {}).get(slug)) for c in group_clients]
            visible = [c for c in group_clients if slug == GROWTH and c.may_see("revenue") or c.may_see(slug)]
            bench.hidden_in = len(group_clients) - len(visible)
            numbers = [v for _org, v in points if v is not None]
            if numbers:
                bench.q1, bench.median, bench.q3 = quartiles(numbers)
                bench.placements = [
                    Placement(org=org, value=v, quartile=_quartile_of(v, bench.q1, bench.median, bench.q3,
                                                                      lower_is_better=lower))
                    for org, v in points if v is not None]
            kpis.append(bench)
        out.append(GroupBenchmark(group=group, clients=group_clients, kpis=kpis))
    return month, out
