"""The portfolio table as people read it: figures in the reader's locale, sorted, filtered, grouped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kpis.models import Kpi
from kpis.presenters.common import as_float, chart_format, format_kpi_value, status_label
from portfolio.health import ClientHealth
from portfolio.models import ClientGroup

FLAG_LABELS = {
    "sync_failing": _l("a sync is failing"),
    "sync_stale": _l("no sync for two days"),
    "never_synced": _l("never synced"),
    "rejected": _l("records rejected this week"),
    "no_values": _l("no figures for the month"),
}
UNITS = {"revenue": Kpi.Unit.EUR, "gross_margin_pct": Kpi.Unit.PERCENT, "net_cash": Kpi.Unit.EUR,
         "runway_months": Kpi.Unit.MONTHS, "dso": Kpi.Unit.DAYS, "late_invoices_amount": Kpi.Unit.EUR}
# sort key → how a row sorts (None last whatever the direction)
SORTS = {
    "name": lambda r: r.health.org.name.lower(),
    "revenue": lambda r: r.health.figures.get("revenue"),
    "gross_margin": lambda r: r.health.figures.get("gross_margin_pct"),
    "cash": lambda r: r.health.figures.get("net_cash"),
    "runway": lambda r: r.health.figures.get("runway_months"),
    "dso": lambda r: r.health.figures.get("dso"),
    "late": lambda r: r.health.figures.get("late_invoices_amount"),
    "risk": lambda r: (r.health.objectives["off_track"], r.health.objectives["at_risk"]),
    "alerts": lambda r: r.health.open_alerts,
    "sync": lambda r: r.health.last_sync_at,
    "flags": lambda r: len(r.health.flags),
}


@dataclass
class Cell:
    text: str
    hidden: bool = False  # the viewer's role in this client may not see it


@dataclass
class TableRow:
    health: ClientHealth
    cells: dict[str, Cell]
    revenue_target: str
    revenue_status: str
    revenue_status_label: str
    spark_id: str
    spark: dict | None
    spark_summary: str
    flags: list[str]
    client_url: str
    top_risk_url: str = ""
    groups: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    rows: list[TableRow]


def _cell(health: ClientHealth, slug: str) -> Cell:
    if slug in health.hidden:
        return Cell(text=_("hidden for your role"), hidden=True)
    value = health.figures.get(slug)
    return Cell(text=format_kpi_value(value, UNITS[slug]) if value is not None else "—")


def table_row(health: ClientHealth, *, groups: list[str]) -> TableRow:
    org = health.org
    spark = None
    summary = ""
    if health.spark and any(v is not None for v in health.spark):
        spark = {"format": chart_format(Kpi.Unit.EUR), "periods": [m.isoformat() for m in health.spark_months],
                 "values": [as_float(v) for v in health.spark]}
        known = [v for v in health.spark if v is not None]
        summary = _("Revenue over 12 months: from %(low)s to %(high)s.") % {
            "low": format_kpi_value(min(known), Kpi.Unit.EUR), "high": format_kpi_value(max(known), Kpi.Unit.EUR)}
    risk = health.top_risk
    return TableRow(
        health=health,
        cells={slug: _cell(health, slug) for slug in UNITS},
        revenue_target=format_kpi_value(health.revenue_target, Kpi.Unit.EUR) if health.revenue_target else "",
        revenue_status=health.revenue_status,
        revenue_status_label=status_label(health.revenue_status),
        spark_id=f"spark-{org.pk}",
        spark=spark,
        spark_summary=summary,
        flags=[str(FLAG_LABELS[f]) for f in health.flags],
        client_url=reverse("accounts:org_home", kwargs={"org_slug": org.slug}),
        top_risk_url=reverse("objectives:objective_detail", kwargs={"org_slug": org.slug, "objective_id": risk.pk})
        if risk else "",
        groups=groups,
    )


def _sorted(rows: list[TableRow], sort: str) -> list[TableRow]:
    descending = sort.startswith("-")
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


def portfolio_sections(healths: list[ClientHealth], *, groups: list[ClientGroup], members: dict[int, set[int]],
                       sort: str = "name", by: str = "", group_id: int | None = None, query: str = "",
                       flagged: bool = False) -> list[Section]:
    """Rows filtered (name contains `query`, in group `group_id`, with a flag), sorted by `sort` ("-dso" for
    descending), in one section per client group of kind `by` (a client in two groups shows in both)."""
    names: dict[int, list[str]] = defaultdict(list)
    for g in groups:
        for client_id in members.get(g.pk, ()):
            names[client_id].append(g.name)
    rows = [table_row(h, groups=names[h.org.pk]) for h in healths]
    if query:
        rows = [r for r in rows if query.lower() in r.health.org.name.lower()]
    if group_id is not None:
        rows = [r for r in rows if r.health.org.pk in members.get(group_id, set())]
    if flagged:
        rows = [r for r in rows if r.flags]
    rows = _sorted(rows, sort)
    kind_groups = [g for g in groups if g.kind == by]
    if not kind_groups:
        return [Section(title="", rows=rows)]
    sections, placed = [], set()
    for g in kind_groups:
        in_group = [r for r in rows if r.health.org.pk in members.get(g.pk, set())]
        placed |= {r.health.org.pk for r in in_group}
        sections.append(Section(title=g.name, rows=in_group))
    rest = [r for r in rows if r.health.org.pk not in placed]
    if rest:
        sections.append(Section(title=_("Not in a group"), rows=rest))
    return sections


def format_benchmark(value: Decimal | None, unit: str) -> str:
    return format_kpi_value(value, unit) if value is not None else "—"


LINE_LABELS = {
    "revenue": _l("Revenue"), "commercial_margin": _l("Commercial margin"), "production": _l("Production of the period"),
    "value_added": _l("Value added"), "ebe": _l("EBE (≈ EBITDA)"), "operating_result": _l("Operating result"),
    "current_result": _l("Current result before tax"), "net_result": _l("Net result"),
    "net_cash": _l("Net cash"), "gross_margin_pct": _l("Gross margin %"), "dso": _l("DSO"),
}


@dataclass
class LineRow:
    slug: str
    label: str
    values: list[str]
    eliminated: str
    total: str
    hidden: bool = False


def consolidation_rows(view) -> list[LineRow]:
    """The consolidated SIG lines, cash and ratios, each company's contribution beside them."""
    from portfolio.consolidation import SIG_LINES

    def money(v):
        return format_kpi_value(v, Kpi.Unit.EUR) if v is not None else "—"

    rows = []
    for slug in SIG_LINES:
        rows.append(LineRow(slug=slug, label=str(LINE_LABELS[slug]), hidden=slug in view.hidden,
                            values=[money(c.lines.get(slug)) for c in view.contributions],
                            eliminated=money(view.eliminated[slug]) if view.eliminated.get(slug) else "—",
                            total=money(view.totals.get(slug))))
    rows.append(LineRow(slug="net_cash", label=str(LINE_LABELS["net_cash"]), hidden="net_cash" in view.hidden,
                        values=[money(c.net_cash) for c in view.contributions], eliminated="—",
                        total=money(view.net_cash)))

    def margin(c):
        revenue = c.lines.get("revenue")
        if c.margin_numerator is None or not revenue:
            return "—"
        return format_kpi_value(c.margin_numerator / revenue * 100, Kpi.Unit.PERCENT)

    rows.append(LineRow(slug="gross_margin_pct", label=str(LINE_LABELS["gross_margin_pct"]),
                        hidden="gross_margin_pct" in view.hidden, values=[margin(c) for c in view.contributions],
                        eliminated="—", total=format_kpi_value(view.gross_margin_pct, Kpi.Unit.PERCENT)
                        if view.gross_margin_pct is not None else "—"))
    month_days = view.month_days

    def dso(c):
        if c.receivables is None or not c.sales_incl_vat:
            return "—"
        return format_kpi_value(c.receivables / c.sales_incl_vat * month_days, Kpi.Unit.DAYS)

    rows.append(LineRow(slug="dso", label=str(LINE_LABELS["dso"]), hidden="dso" in view.hidden,
                        values=[dso(c) for c in view.contributions], eliminated="—",
                        total=format_kpi_value(view.dso, Kpi.Unit.DAYS) if view.dso is not None else "—"))
    return rows
