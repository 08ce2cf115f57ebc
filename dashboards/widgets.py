"""Shapes a dashboard's widgets for the page, from materialised values only (KpiValue, KpiTarget, KpiForecast).

Whatever the widgets, the KPI figures cost one query (values with their forecasts, and targets), the
objectives one tree, freshness one query per source kind: a dashboard's query count does not grow with
data, months or widgets. Nothing here reads a canonical record.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    DateTimeField,
    DecimalField,
    F,
    Func,
    JSONField,
    Max,
    Q,
    Value,
    When,
    Window,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from config.kept_sql import kept_query
from dashboards.defaults import AGEING_SLUGS, WidgetSpec
from dashboards.models import Widget
from dashboards.periods import DashboardPeriod
from dashboards.trailing import MONTHS as MONTHS_TRAILING
from dashboards.trailing import trailing_target, trailing_value
from imports.models import ImportRun
from integrations.models import Connection
from integrations.registry import provider_label
from kpis import selectors as kpi_selectors
from kpis.engine.compute import Graph
from kpis.models import Kpi, KpiTarget, KpiValue, Metric
from kpis.periods import Period, add_months, period_containing, periods_between
from kpis.presenters.catalogue import _heatmap
from kpis.presenters.common import (
    MonthlyTable,
    as_float,
    chart_format,
    delta,
    format_kpi_value,
    kpi_name,
    month_label,
    period_label,
    reason_text,
    value_status_label,
)
from kpis.presenters.feeds import waiting_for_data
from kpis.presenters.panel import AGEING
from objectives.models import ActionPlan
from objectives.selectors import begin_tree, finish_tree

MIN_TILES, MAX_TILES = 3, 6
PLANS_SHOWN, PLANS_HORIZON_DAYS = 8, 30
TREE_DEPTH = 2


@dataclass
class WidgetView:
    spec: WidgetSpec
    kind: str
    title: str
    width: int
    chart_id: str = ""
    chart: dict | None = None
    tile: dict | None = None
    rows: list = field(default_factory=list)
    empty: str = ""  # an honest sentence when the widget has nothing to show
    url: str = ""


@dataclass
class DashboardView:
    period: DashboardPeriod
    widgets: list[WidgetView]
    hidden: int  # widgets left out because their figures are not the viewer's to see
    waiting: list[str]  # with no figure at all: what would feed the dashboard's KPIs
    has_figures: bool
    stamp: str  # when the engine last computed a figure shown: the page asks again once it moves
    visible_kpi_ids: set[int]
    tree: object  # this quarter's objectives tree (objectives.selectors.Tree), read once for every widget
    unchanged: bool = False  # asked `since` the stamp it still has: no widget was built, the page keeps its own


VALUE_FIELDS = ("kpi_id", "grain", "period_start", "dimension_value", "value", "no_value_reason")
# The targets' columns beside the values' in the same query (a UNION ALL), told apart by `src`.
TARGET_FIELDS = ("kpi_id", "grain", "period_start", "value", "at_risk_threshold")
_Target = namedtuple("_Target", TARGET_FIELDS)
_TREE_NAMES = (*VALUE_FIELDS, "computed_at", *(f"fc_{name}" for name in kpi_selectors.FORECAST_FIELDS))
_TreeValue = namedtuple("_TreeValue", _TREE_NAMES)  # a key result's value as objectives.selectors reads it


class _OnFirstRow(Func):
    """An expression's value on the result's first row alone, NULL on the others: a page-wide figure (the stamp)
    read in the rows' query without loading it once per row (a timestamp costs psycopg's Python loader ~3 µs)."""

    template = "CASE WHEN ROW_NUMBER() OVER () = 1 THEN %(expressions)s END"
    contains_over_clause = True
    window_compatible = False


class _Figures:
    """The dashboard's KPI values and targets, read in one query and looked up by (KPI, grain, start, dimension).

    Rows are named tuples (`values_list(named=True)`), not model instances: a page reads hundreds of them and
    only ever looks at a few fields (`kpis.selectors.forecast_of_value` reads the `fc_` ones as attributes).
    Their `computed_at` is not read row by row: the page needs only the latest (`stamp_at`, one row's column) and
    the objectives tree its key results' own (`kr_at`, on their rows alone)."""

    def __init__(self, org: Organization, *, months: list[Period], trailing: bool = False):
        self.org = org
        self.values: dict[tuple, tuple] = {}
        self.targets: dict[tuple, tuple] = {}
        self.months = {m.start: m for m in months}
        self.trailing = trailing
        self.graph: Graph | None = None
        self.urls: dict[str, str] = {}  # KPI page paths by URL name (kpi_path)
        self.probed: dict[tuple, tuple] = {}  # other KPIs' values in the tiles' period alone (read(probe=…))
        self.computed_at = None  # the latest computed_at of `values`: when the engine last computed a figure shown

    def read(self, kpis: list[Kpi], *, months: list[Period], periods: list[Period], breakdown: list[Kpi] = (),
             breakdown_period: Period | None = None, probe: list[Kpi] = (), probe_period: Period | None = None,
             tree_wanted: set[tuple] = frozenset()) -> dict[tuple, tuple] | None:
        """Add these KPIs' values (with forecasts) and targets of these months and periods; 1 query.

        `probe`: other KPIs whose value in `probe_period` alone is read in the same query, into `probed` (not
        `values`: nothing else of theirs is shown unless they fill in a tile, read then).
        `tree_wanted`: the objectives tree's key-result values (objectives.selectors.begin_tree), read in the same
        query by each column's set as the tree reads them alone, and returned (None when nothing was read); a
        row only they asked for stays out of the dashboard's figures."""
        org = self.org
        if not kpis:
            return None
        if self.trailing and self.graph is None:  # the formulas tell each input's nature (flow, stock…); 2 queries
            self.graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))
        starts = {"month": {m.start for m in months}}
        for p in periods:
            starts.setdefault(p.grain, set()).add(p.start)
        scope_key = tuple((grain, tuple(sorted(grain_starts))) for grain, grain_starts in starts.items())
        kpi_ids = tuple(k.pk for k in kpis)
        breakdown_key = (tuple(k.pk for k in breakdown), breakdown_period.grain, breakdown_period.start) \
            if breakdown else ()
        probe_key = (tuple(k.pk for k in probe), probe_period.grain, probe_period.start) if probe else ()
        tree_key = tuple(sorted(tree_wanted))
        fields = [*VALUE_FIELDS, *(["inputs"] if self.trailing else [])]
        forecast_names = [f"fc_{name}" for name in kpi_selectors.FORECAST_FIELDS]
        names = ["src", *fields, *forecast_names, "at_risk_threshold", "stamp_at", "kr_at"]

        def scope() -> Q:
            q = Q()
            for grain, grain_starts in scope_key:  # one IN list per grain: the same rows, a lighter query
                q |= Q(grain=grain, period_start__in=grain_starts)
            return q

        def build():
            own = Q(kpi__in=kpi_ids) & scope() & Q(dimension_value="")  # the dashboard's own rows
            if breakdown:
                own |= Q(kpi__in=breakdown_key[0], grain=breakdown_period.grain,
                         period_start=breakdown_period.start) & ~Q(dimension_value="")
            values = KpiValue.objects.for_org(org).filter(own)
            if probe:
                values = values | KpiValue.objects.for_org(org).filter(
                    kpi__in=probe_key[0], grain=probe_period.grain, period_start=probe_period.start,
                    dimension_value="")
            if tree_wanted:
                values = values | KpiValue.objects.for_org(org).filter(
                    kpi_id__in=sorted({k[0] for k in tree_key}), grain__in=sorted({k[1] for k in tree_key}),
                    period_start__in=sorted({k[2] for k in tree_key}),
                    dimension_value__in=sorted({k[3] for k in tree_key}))
            tree_rows = Q()
            for kpi_id, grain, start, dimension in tree_key:
                tree_rows |= Q(kpi_id=kpi_id, grain=grain, period_start=start, dimension_value=dimension)
            values = kpi_selectors.with_forecasts(values).annotate(
                src=Value(0), at_risk_threshold=Value(None, output_field=DecimalField()),
                stamp_at=_OnFirstRow(Window(Max("computed_at", filter=own)), output_field=DateTimeField()),
                kr_at=Case(When(tree_rows, then=F("computed_at"))) if tree_key
                else Value(None, output_field=DateTimeField())).values_list(*names, named=True)
            blank = {name: Value(None, output_field=JSONField() if name in ("inputs", "fc_basis") else DecimalField())
                     for name in (*forecast_names, *(["inputs"] if self.trailing else []))}
            targets = KpiTarget.objects.for_org(org).filter(kpi__in=kpi_ids).filter(scope()).annotate(
                src=Value(1), dimension_value=Value(""), no_value_reason=Value(""), **blank,
                stamp_at=Value(None, output_field=DateTimeField()), kr_at=Value(None, output_field=DateTimeField())
            ).values_list(*names)
            return values.union(targets, all=True)

        # The query's SQL is compiled once per its inputs (config.kept_sql): building it was most of the read.
        rows = kept_query(("dashboards.figures", org.pk, self.trailing, kpi_ids, scope_key, breakdown_key, probe_key,
                           tree_key), build)
        probe_ids = {k.pk for k in probe}
        tree_values = {}
        if tree_wanted:  # which rows the dashboard's own conditions asked for, the same as the filters above
            kpi_id_set, breakdown_ids = set(kpi_ids), set(breakdown_key[0] if breakdown else ())

            def asked(v) -> bool:
                if not v.dimension_value:
                    if v.kpi_id in kpi_id_set and v.period_start in starts.get(v.grain, ()):
                        return True
                    return v.kpi_id in probe_ids and (v.grain, v.period_start) == (probe_period.grain,
                                                                                     probe_period.start)
                return v.kpi_id in breakdown_ids and (v.grain, v.period_start) == (breakdown_period.grain,
                                                                                   breakdown_period.start)
        for v in rows:
            if v.src:
                self.targets[(v.kpi_id, v.grain, v.period_start)] = _Target(
                    v.kpi_id, v.grain, v.period_start, v.value, v.at_risk_threshold)
                continue
            if v.stamp_at is not None and (self.computed_at is None or v.stamp_at > self.computed_at):
                self.computed_at = v.stamp_at
            key = (v.kpi_id, v.grain, v.period_start, v.dimension_value)
            if tree_wanted:
                if key in tree_wanted:
                    tree_values[key] = _TreeValue(*(v.kr_at if name == "computed_at" else getattr(v, name)
                                                    for name in _TREE_NAMES))
                if not asked(v):
                    continue
            (self.probed if v.kpi_id in probe_ids else self.values)[key] = v
        return tree_values

    def value(self, kpi: Kpi, period: Period, dimension: str = "") -> tuple | None:
        return self.values.get((kpi.pk, period.grain, period.start, dimension))

    def point(self, kpi: Kpi, period: Period) -> tuple[Decimal | None, Decimal | None, str, str]:
        """(value, target, status, no-value reason) of one KPI in one period."""
        v = self.value(kpi, period)
        t = self.targets.get((kpi.pk, period.grain, period.start))
        value = v.value if v else None
        target = t.value if t else None
        status = kpi_selectors.kpi_status(kpi, value=value, target=target,
                                          at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
        return value, target, status, (v.no_value_reason if v else "")

    def trailing_point(self, kpi: Kpi, month: Period) -> tuple[Decimal | None, Decimal | None, str, str]:
        """(value, target, status, no-value reason) of one KPI over the 12 months to `month` (dashboards.trailing)."""
        months = [self.months.get(add_months(month.start, -back)) for back in range(MONTHS_TRAILING - 1, -1, -1)]
        if any(m is None for m in months) or self.graph is None:
            return None, None, "no_data", _("Fewer than 12 months of values.")
        result = trailing_value(self.graph, kpi, [self.value(kpi, m) for m in months], months)
        target = trailing_target(self.graph, kpi, [t.value if t else None for t in (
            self.targets.get((kpi.pk, "month", m.start)) for m in months)])
        status = kpi_selectors.kpi_status(kpi, value=result.value, target=target)
        return result.value, target, status, result.reason

    def tile_point(self, kpi: Kpi, period: DashboardPeriod, of: Period) -> tuple[Decimal | None, Decimal | None, str, str]:
        """A tile's figure for `of`: the period itself, or the 12 months to it for the trailing year."""
        return self.trailing_point(kpi, of) if period.is_trailing else self.point(kpi, of)

    def breakdown(self, kpi: Kpi, period: Period) -> list[tuple]:
        rows = [v for (kpi_id, grain, start, dim), v in self.values.items()
                if kpi_id == kpi.pk and grain == period.grain and start == period.start and dim and v.value is not None]
        return sorted(rows, key=lambda v: -v.value)

    def monthly_table(self, months: list[Period]) -> MonthlyTable:
        starts = {m.start for m in months}
        return MonthlyTable(
            months=months,
            values={(k, s): v for (k, g, s, d), v in self.values.items() if g == "month" and not d and s in starts},
            targets={(k, s): t for (k, g, s), t in self.targets.items() if g == "month" and s in starts})


SLUG_MARK = "__kpi_slug__"  # stands for a KPI's slug in a path reversed once per page (kpi_path)


def kpi_path(org: Organization, name: str, kpi: Kpi, urls: dict) -> str:
    """`reverse(name)` of a KPI's page, reversed once per page and URL name (`urls`, one per request) and given
    each KPI's slug: a dashboard links some forty KPI pages, and reversing was a tenth of its widgets' time. A slug
    needs no quoting in a path, so the path is the one reverse gives."""
    path = urls.get(name)
    if path is None:
        path = urls[name] = reverse(name, kwargs={"org_slug": org.slug, "kpi_slug": SLUG_MARK})
    return path.replace(SLUG_MARK, kpi.slug)


def lineage_url(org: Organization, kpi: Kpi, period: Period, dimension: str = "", *, urls: dict | None = None) -> str:
    """The records behind a value: the KPI's lineage page for that month (a quarter or year: its last month).

    `urls` (one per request) keeps the reversed path (kpi_path): a trend links every one of its 24 points."""
    month = period_containing(period.end, "month", org.fiscal_year_start_month)
    url = kpi_path(org, "kpis:kpi_lineage", kpi, {} if urls is None else urls)
    url += f"?month={month.start:%Y-%m}"
    return url + (f"&dimension={dimension}" if dimension else "")


def dashboard_view(org: Organization, *, membership: Membership, specs: list[WidgetSpec], period: DashboardPeriod,
                   team: str = "", fill_tiles: bool = False, today: date, since: str | None = None) -> DashboardView:
    """The widgets the member may see, each with its figures. `fill_tiles` (role dashboards): tiles without a
    value make way for other KPIs the member may see that have one, as the role's pack runs dry.

    `since` (the page's refresh, every 30 s): when the figures' stamp is still that one, nothing else is read or
    built (no widget, no objectives tree) and the view says `unchanged`."""
    visible = {k.slug: k for k in kpi_selectors.kpi_catalogue_for(org, membership=membership) if k.is_active}
    shown, hidden = [], 0
    for spec in specs:
        slugs = [spec.kpi_slug] if spec.kpi_slug else []
        if slugs and not all(s in visible for s in slugs):
            # A role layout leaves out what the company does not have; a team dashboard says it hid something.
            hidden += 0 if fill_tiles else 1
            continue
        if spec.kind == Widget.Kind.AGEING:  # always the four buckets, those the reader may see
            spec = WidgetSpec(**{**spec.__dict__, "kpi_slugs": tuple(s for s in AGEING_SLUGS if s in visible)})
        elif spec.kpi_slugs:
            spec = WidgetSpec(**{**spec.__dict__, "kpi_slugs": tuple(s for s in spec.kpi_slugs if s in visible)})
        shown.append(spec)
    tile_slugs = [s.kpi_slug for s in shown if s.kind == Widget.Kind.KPI_TILE]
    # A role without a pack of its own (the Admin) gets no stand-in tiles.
    candidates = [k for k in visible.values() if not k.dimension_label] if fill_tiles and tile_slugs else []
    wanted = {s.kpi_slug for s in shown if s.kpi_slug} | {x for s in shown for x in s.kpi_slugs if x in visible}
    kpis = [visible[s] for s in wanted]
    months_back = max([s.months for s in shown if s.kind == Widget.Kind.TREND] + [12])
    months = periods_between(add_months(period.trend_end.start, -(months_back + 12)), period.trend_end.end, "month",
                             org.fiscal_year_start_month)
    breakdown = [visible[s.kpi_slug] for s in shown if s.kind == Widget.Kind.BREAKDOWN]

    periods = [period.period, period.previous, period.last_year]
    figures = _Figures(org, months=months, trailing=period.is_trailing)
    others = [k for k in candidates if k.slug not in wanted]
    # Which other KPIs could fill in a tile is their value in the tile's period: read with the pack's values, in
    # the same query (a trailing year needs 12 months of each, so it is not probed).
    probe = others if not period.is_trailing else []
    tree_cache: dict = {}
    if since is None:  # a page drawn anew shows the tree: its key results' values come with the figures
        _begin_tree(org, tree_cache, today)
    tree_values = figures.read(kpis, months=months, periods=periods, breakdown=breakdown,
                               breakdown_period=period.period, probe=probe, probe_period=period.period,
                               tree_wanted=tree_cache["pending"].wanted if tree_cache else frozenset())
    if tree_cache:
        tree_cache["values"] = tree_values
    with_value = sum(figures.tile_point(visible[s], period, period.period)[0] is not None for s in tile_slugs)
    if fill_tiles and candidates and with_value < MIN_TILES:
        # The pack ran dry: only then read the other KPIs, and only those that fill in (those with a value,
        # first in the catalogue's order), and only what a tile shows: its period, the two it is compared with
        # and the sparkline's 12 months (the trailing year's tiles need every month). The rows of the whole
        # catalogue, 36 months each, were most of a dashboard's server time when read on every page.
        if probe:  # the same choice as _fill_tiles makes, from the probed values
            def has_value(k: Kpi) -> bool:
                v = figures.value(k, period.period) if k.slug in wanted else figures.probed.get(
                    (k.pk, period.period.grain, period.period.start, ""))
                return v is not None and v.value is not None

            fill = [k for k in candidates if k.slug not in tile_slugs and has_value(k)]
            others = [k for k in fill[:MIN_TILES - min(with_value, MAX_TILES)] if k.slug not in wanted]
        tile_months = months if period.is_trailing else _spark_months(months, period)
        figures.read(others, months=tile_months, periods=periods)
    stamp = figures.computed_at.isoformat() if figures.computed_at else ""
    if since is not None and since == stamp:
        return DashboardView(period=period, widgets=[], hidden=hidden, waiting=[], has_figures=bool(figures.values),
                             stamp=stamp, visible_kpi_ids=set(), tree=None, unchanged=True)
    if fill_tiles:
        shown = _fill_tiles(shown, tile_slugs, candidates, visible, figures, period)
    views = [_build(org, spec, visible=visible, figures=figures, period=period, months=months, team=team,
                    tree_cache=tree_cache, today=today) for spec in shown]
    has_figures = any(k for k in figures.values.values() if k.value is not None)
    waiting = []
    if not has_figures and kpis:
        feeds = waiting_for_data(org, kpis=[visible[s] for s in tile_slugs if s in visible])
        waiting = sorted(set(feeds.values()))
    return DashboardView(period=period, widgets=views, hidden=hidden, waiting=waiting, has_figures=has_figures,
                         stamp=stamp,
                         visible_kpi_ids={k.pk for k in visible.values()},
                         tree=_tree(org, tree_cache, today))


def _fill_tiles(shown: list[WidgetSpec], tile_slugs: list[str], candidates: list[Kpi], visible: dict,
                figures: _Figures, period: DashboardPeriod) -> list[WidgetSpec]:
    """The role's tiles that have a value, up to six; fewer than three: other KPIs it may see fill in."""
    def has_value(slug: str) -> bool:
        return figures.tile_point(visible[slug], period, period.period)[0] is not None

    keep = [s for s in tile_slugs if has_value(s)][:MAX_TILES]
    if len(keep) < MIN_TILES and candidates:
        keep += [k.slug for k in candidates if k.slug not in tile_slugs and has_value(k.slug)][:MIN_TILES - len(keep)]
    tiles = [WidgetSpec(kind=Widget.Kind.KPI_TILE, kpi_slug=s) for s in keep]
    others = [s for s in shown if s.kind != Widget.Kind.KPI_TILE]
    return tiles + others


def _build(org, spec: WidgetSpec, *, visible, figures: _Figures, period: DashboardPeriod, months, team, tree_cache,
           today) -> WidgetView:
    kpi = visible.get(spec.kpi_slug)
    key = spec.widget_id or f"{spec.kind}-{spec.kpi_slug or 'x'}"
    view = WidgetView(spec=spec, kind=spec.kind, title=kpi_name(kpi) if kpi else Widget.Kind(spec.kind).label,
                      width=spec.width, chart_id=f"w-{key}")
    if kpi is not None:
        view.url = kpi_path(org, "kpis:kpi_detail", kpi, figures.urls)
    builder = BUILDERS[spec.kind]
    builder(org, view, kpi=kpi, visible=visible, figures=figures, period=period, months=months, team=team,
            tree_cache=tree_cache, today=today)
    return view


def _tile(org, view, *, kpi, figures, period, months, today, **_kw):
    value, target, status, reason = figures.tile_point(kpi, period, period.period)
    previous = figures.tile_point(kpi, period, period.previous)[0]
    last_year = figures.tile_point(kpi, period, period.last_year)[0]
    spark_months = _spark_months(months, period)
    raw = [figures.point(kpi, m)[0] for m in spark_months]
    forecast_text = forecast_status = ""
    v = figures.value(kpi, period.period)
    if period.is_running and v is not None:
        f = kpi_selectors.forecast_of_value(v, period.period, today=today)
        if f.method and not f.is_too_early:
            forecast_text = format_kpi_value(f.value, kpi.unit)
            t = figures.targets.get((kpi.pk, period.period.grain, period.period.start))
            forecast_status = kpi_selectors.kpi_status(kpi, value=f.value, target=t.value if t else None,
                                                       at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
    view.tile = {
        "kpi": kpi, "value": value, "value_text": format_kpi_value(value, kpi.unit),
        "reason": (reason if period.is_trailing else reason_text(reason)) if value is None else "",
        "target_text": format_kpi_value(target, kpi.unit), "status": status,
        "status_label": value_status_label(status, value),
        "delta_previous": delta(kpi, value, previous), "delta_last_year": delta(kpi, value, last_year),
        "previous_label": _trailing_label(period.previous) if period.is_trailing else period_label(period.previous),
        "last_year_label": _trailing_label(period.last_year) if period.is_trailing else period_label(period.last_year),
        "forecast_text": forecast_text, "forecast_status": forecast_status,
        "lineage_url": lineage_url(org, kpi, period.period, urls=figures.urls),
    }
    view.chart = {"format": chart_format(kpi.unit), "periods": [m.start.isoformat() for m in spark_months],
                  "values": [as_float(x) for x in raw]}


def _spark_months(months: list[Period], period: DashboardPeriod) -> list[Period]:
    """The 12 months of a sparkline or a heatmap, to the last complete month."""
    first = add_months(period.spark_end.start, -11)
    return [m for m in months if first <= m.start <= period.spark_end.start]


def _trailing_label(month: Period) -> str:
    return _("12 months to %(month)s") % {"month": month_label(month)}


def _trend(org, view, *, kpi, figures, period, months, today, **_kw):
    window = [m for m in months if add_months(period.trend_end.start, -(view.spec.months - 1)) <= m.start]
    actual = [figures.point(kpi, m)[0] for m in window]
    targets = [figures.point(kpi, m)[1] for m in window]
    forecast_line = None
    current = window[-1]
    v = figures.value(kpi, current)
    if v is not None:
        f = kpi_selectors.forecast_of_value(v, current, today=today)
        if f.method and not f.is_too_early and f.value is not None:
            forecast_line = [None] * len(window)
            if len(window) > 1:
                forecast_line[-2] = as_float(actual[-2])
            forecast_line[-1] = as_float(f.value)
            actual[-1] = None  # month to date: the forecast to month end stands for it
    if forecast_line is None and current.contains(today):
        actual[-1] = None  # too early to forecast: a few days' figure would read as a collapse
    previous_year = [figures.point(kpi, p.same_period_last_year())[0] for p in window]
    if not any(x is not None for x in actual):
        view.empty = _("No value in these months yet.")
    view.chart = {
        "format": chart_format(kpi.unit), "periods": [m.start.isoformat() for m in window],
        "names": {"actual": _("Actual"), "target": _("Target"), "forecast": _("Forecast to month end"),
                  "previous_year": _("Same month last year")},
        "actual": [as_float(x) for x in actual],
        "target": [as_float(x) for x in targets] if any(t is not None for t in targets) else None,
        "forecast": forecast_line, "previous_year": [as_float(x) for x in previous_year], "annotations": [],
        "links": [lineage_url(org, kpi, m, urls=figures.urls) for m in window],
    }
    view.rows = [(month_label(m, short=True), format_kpi_value(x, kpi.unit)) for m, x in zip(window, actual)]


def _breakdown(org, view, *, kpi, figures, period, **_kw):
    rows = figures.breakdown(kpi, period.period)
    if not rows:
        view.empty = _("No value by %(dimension)s for %(period)s yet.") % {
            "dimension": kpi.dimension_label or _("dimension"), "period": period.label}
        return
    view.chart = {"format": chart_format(kpi.unit), "labels": [v.dimension_value for v in rows],
                  "values": [as_float(v.value) for v in rows], "name": kpi_name(kpi),
                  "links": [lineage_url(org, kpi, period.period, v.dimension_value, urls=figures.urls) for v in rows]}
    view.rows = [(v.dimension_value, format_kpi_value(v.value, kpi.unit)) for v in rows]


def _heatmap_widget(org, view, *, visible, figures, period, months, **_kw):
    kpis = [visible[s] for s in view.spec.kpi_slugs if s in visible]
    heat_months = _spark_months(months, period)
    chart, table = _heatmap(kpis, figures.monthly_table(heat_months), heat_months)
    if not chart["rows"]:
        view.empty = _("No target set for these KPIs: set monthly targets to see their status month by month.")
        return
    view.chart, view.rows = chart, table


def _ageing(org, view, *, visible, figures, period, **_kw):
    view.title = _("Receivables past due, by age")
    kpis = [visible[s] for s in AGEING_SLUGS if s in visible]
    labels = {slug: str(label) for slug, label in AGEING}
    values = [(labels[k.slug], figures.point(k, period.period)[0]) for k in kpis]
    if not kpis or not any(v for _label, v in values):
        view.empty = _("Nothing past due: no customer invoice is late.") if kpis else \
            _("Receivables ageing needs customer invoices: connect your accounting tool.")
        return
    view.chart = {"format": chart_format(Kpi.Unit.EUR), "labels": [label for label, _v in values],
                  "values": [as_float(v) for _label, v in values], "name": _("Receivables past due"),
                  "links": [lineage_url(org, k, period.period, urls=figures.urls) for k in kpis]}
    view.rows = [(label, format_kpi_value(v, Kpi.Unit.EUR)) for label, v in values]


def _begin_tree(org, tree_cache, today):
    """This quarter's objectives, key results and plans (objectives.selectors.begin_tree), waiting for values."""
    quarter = period_containing(today, "quarter", org.fiscal_year_start_month)
    tree_cache["pending"] = begin_tree(org, start=quarter.start, end=quarter.end, today=today)
    tree_cache["quarter"] = quarter


def _tree(org, tree_cache, today):
    if "tree" not in tree_cache:
        if "pending" not in tree_cache:
            _begin_tree(org, tree_cache, today)
        tree_cache["tree"] = finish_tree(org, tree_cache["pending"], tree_cache.get("values"))
    return tree_cache["tree"]


def _objectives(org, view, *, tree_cache, today, **_kw):
    tree = _tree(org, tree_cache, today)
    rows, stack = [], [(n, 0) for n in reversed(tree.roots)]
    while stack:  # iterative, depth first: one row per objective, down to TREE_DEPTH
        node, depth = stack.pop()
        rows.append({"node": node, "depth": depth})
        if depth + 1 < TREE_DEPTH:
            stack.extend((c, depth + 1) for c in reversed(node.children))
    view.rows = rows
    view.url = reverse("objectives:cascade", kwargs={"org_slug": org.slug})
    if not rows:
        view.empty = _("No objective this quarter: the cascade starts with the CEO's or the CFO's target.")


def _action_plans(org, view, *, tree_cache, today, team, **_kw):
    tree = _tree(org, tree_cache, today)
    horizon = today + timedelta(days=PLANS_HORIZON_DAYS)
    open_states = {ActionPlan.Status.PLANNED, ActionPlan.Status.IN_PROGRESS, ActionPlan.Status.BLOCKED}
    plans = [(plan, node.objective) for node in tree.all() for plan in node.plans
             if plan.status in open_states and plan.due_date <= horizon and (not team or plan.team == team)]
    plans.sort(key=lambda p: (p[0].due_date, p[0].pk))
    view.rows = [{"plan": p, "objective": o, "is_overdue": p.due_date < today} for p, o in plans[:PLANS_SHOWN]]
    if not plans:
        view.empty = _("No action plan due in the next 30 days.")


def _freshness(org, view, **_kw):
    """The connections (not disconnected) and the last finished import of each kind, in one query (a UNION ALL):
    only the columns the widget shows (the credentials column is decrypted on load, cursors can be large)."""
    def build():
        connections = (Connection.objects.for_org(org).exclude(status=Connection.Status.DISCONNECTED).order_by()
                       .annotate(src=Value(0)).values_list("src", "id", "provider", "label", "status",
                                                           "last_success_at", "last_error", "last_error_messages"))
        imports = (ImportRun.objects.for_org(org).filter(state=ImportRun.State.DONE).order_by().values("kind")
                   .annotate(src=Value(1), n=Value(0), last=Max("finished_at"), a=Value(""), b=Value(""),
                             c=Value(""), d=Value(None, output_field=JSONField()))
                   .values_list("src", "n", "kind", "a", "b", "last", "c", "d"))
        return connections.union(imports, all=True).order_by("src", "provider", "id")

    view.rows = []
    for src, pk, provider, label, status, last, error, messages in kept_query(("dashboards.freshness", org.pk), build):
        if src == 0:
            c = Connection(pk=pk, provider=provider, label=label, status=status, last_error=error,
                           last_error_messages=messages)
            view.rows.append({"label": c.label or provider_label(c.provider), "status": c.status,
                              "status_label": c.get_status_display(), "last": last, "error": c.last_error_text})
        else:
            view.rows.append({"label": _("Import: %(kind)s") % {"kind": ImportRun(kind=provider).kind_label},
                              "status": "active",
                              "status_label": "", "last": last, "error": ""})
    if not view.rows:
        view.empty = _("No data source yet: connect Pennylane or HubSpot, or import a spreadsheet.")


BUILDERS = {
    Widget.Kind.KPI_TILE: _tile,
    Widget.Kind.TREND: _trend,
    Widget.Kind.BREAKDOWN: _breakdown,
    Widget.Kind.HEATMAP: _heatmap_widget,
    Widget.Kind.AGEING: _ageing,
    Widget.Kind.OBJECTIVES: _objectives,
    Widget.Kind.ACTION_PLANS: _action_plans,
    Widget.Kind.FRESHNESS: _freshness,
}
