"""Forecasts to the end of the open periods, computed by the recompute and materialised (KpiForecast).

Each metric is forecast by its nature, then every KPI formula is evaluated on the forecast metrics:

- flows (sums and counts, no trailing window) add up over time. The running month: value to date ×
  last year's full month ÷ last year's same days (seasonality), or value to date ÷ share of the month
  elapsed without last year (or when last year's factor is 4 times off that); below
  `KPIS_FORECAST_MIN_SHARE` of the month elapsed it is not forecast: the same month last year stands in
  (else the last closed month). A month not started yet: the same
  month last year (else the running month's estimate). A quarter or a fiscal year: its closed months'
  actuals plus each open month's forecast;
- stocks (balances, open records) follow their trend: value today + (value today − value 90 days
  ago) ÷ 90 per remaining day (flat without 90 days of history);
- levels (averages, percentiles, trailing windows…) keep their value over the period to date.

KPIs: an additive KPI (a linear combination of flows: revenue, EBE…) is, for a quarter or a year, the
sum of its months (closed actuals + open months' forecasts), so the months and the quarter always
agree. A ratio (gross margin %, DSO, cost per unit) is its formula over the forecasts of its
numerator and denominator, never an extrapolation of the ratio itself; if that lands more than
`KPIS_FORECAST_RATIO_MAX_MOVE` away from its value to date, the value to date is kept and the reason
stored. The method is stored as a code (KpiForecast.Method), translated when displayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from kpis.engine.compute import Graph, _fmt, evaluate_period
from kpis.engine.formula import Binary, Call, FormulaError, NoValue, Num, Ref, Unary
from kpis.engine.metrics import (
    TOTAL,
    Coverage,
    compute_metrics,
    coverage_key,
    ledger_coefficients,
    load_coverage,
)
from kpis.engine.records import COVERAGE_FIELD, SNAPSHOT_AGGREGATIONS, in_database, needs_python
from kpis.models import KpiForecast
from kpis.periods import (
    GRAINS,
    Period,
    add_months,
    elapsed_fraction,
    month_end,
    period_containing,
    periods_between,
)

FLOW, STOCK, LEVEL, RATIO = "flow", "stock", "level", "ratio"
TREND_DAYS = 90
MAX_SEASONAL_SKEW = Decimal(4)  # last year's seasonality is ignored when it is 4 times off the plain run-rate
CENT = Decimal("0.01")
QUANT = Decimal("0.000001")  # as KpiValue: the months of a quarter add up exactly

# Method codes, with their labels in kpis.models.KpiForecast.Method.
M = KpiForecast.Method
TOO_EARLY, RUN_RATE, SEASONAL, LAST_YEAR, CURRENT_PACE = (M.TOO_EARLY, M.RUN_RATE, M.SEASONAL, M.LAST_YEAR,
                                                      M.CURRENT_PACE)
SUM_OF_MONTHS, RATIO_OF_FORECASTS, RATIO_HELD = M.SUM_OF_MONTHS, M.RATIO_OF_FORECASTS, M.RATIO_HELD
STOCK_TREND, STOCK_FLAT, LEVEL_TO_DATE, NO_FORECAST = M.STOCK_TREND, M.STOCK_FLAT, M.LEVEL_TO_DATE, M.NO_FORECAST


def min_share() -> Decimal:
    return Decimal(str(getattr(settings, "KPIS_FORECAST_MIN_SHARE", "0.2")))


def ratio_max_move() -> Decimal:
    return Decimal(str(getattr(settings, "KPIS_FORECAST_RATIO_MAX_MOVE", "0.4")))


def metric_kind(metric) -> str:
    if metric.aggregation in ("sum", "count") and not metric.window_months:
        return FLOW
    if metric.aggregation == "balance" or metric.aggregation in SNAPSHOT_AGGREGATIONS:
        return STOCK
    return LEVEL


def kpi_kind(graph: Graph, slug: str, _memo: dict | None = None) -> str:
    """flow (additive), stock, level, or ratio (anything else: divisions, mixes, period_days…)."""
    memo = _memo if _memo is not None else {}
    if slug in memo:
        return memo[slug]
    memo[slug] = RATIO  # a cycle reads as a ratio
    node = graph.asts.get(slug)
    kinds: set[str] = set()

    def linear(n) -> bool:
        if isinstance(n, Ref):
            if n.name in graph.metrics:
                kinds.add(metric_kind(graph.metrics[n.name]))
                return True
            if n.name in graph.kpis:
                kinds.add(kpi_kind(graph, n.name, memo))
                return True
            return False  # period_days, period_months
        if isinstance(n, Unary):
            return linear(n.operand)
        if isinstance(n, Binary):
            if n.op in ("+", "-"):
                return linear(n.left) and linear(n.right)
            if n.op == "*":
                if isinstance(n.left, Num):
                    return linear(n.right)
                if isinstance(n.right, Num):
                    return linear(n.left)
            if n.op == "/" and isinstance(n.right, Num):
                return linear(n.left)
            return False
        if isinstance(n, Call) and n.name == "coalesce":
            return all(linear(a) for a in n.args)
        return False

    ok = not isinstance(node, FormulaError) and node is not None and linear(node)
    kind = kinds.pop() if ok and len(kinds) == 1 else RATIO
    memo[slug] = kind
    return kind


@dataclass(frozen=True)
class ComputedForecast:
    kpi_slug: str
    period: Period
    value: Decimal | None
    method: str
    elapsed: Decimal
    to_date: Decimal | None = None
    previous_same_days: Decimal | None = None
    last_year_same_days: Decimal | None = None
    last_year: Decimal | None = None  # the same month last year, in full (months only)
    basis: dict = field(default_factory=dict)


def _num(v) -> Decimal | None:
    return v if isinstance(v, Decimal) else None


def _same_days(period: Period, days: int) -> Period:
    """The first `days` days of `period` (all of it when it is shorter)."""
    return Period(period.start, min(period.end, period.start + timedelta(days=days - 1)), period.grain,
                  period.fy_start_month)


def _q(v: Decimal | None) -> Decimal | None:
    return None if v is None else v.quantize(QUANT)


def _history(org, graph: Graph, metrics: list, months: list[Period], coverage, month_results=None,
             row_cache=None) -> dict:
    """Month values of the metrics over `months`, as the materialised KPI values keep them in their inputs
    (6 decimals, "no value" for none). `month_results`: the metric results of the full recompute that has just
    written those values, read directly (no query); else the values' inputs are read (1 query). Metrics no
    materialised value reads are computed."""
    from kpis.models import KpiValue

    if not months:
        return {}
    wanted = {m.slug for m in metrics}
    results: dict = {}
    if month_results is not None:
        read = {r for s, kpi in graph.kpis.items() if kpi.is_active for r in graph.reads.get(s, ()) if r in wanted}
        for slug in read:
            for p in months:
                cell = month_results.get((slug, "month", p.start))
                if cell is not None:
                    raw = _fmt(cell.get(TOTAL, NoValue("not computed")))
                    results[(slug, "month", p.start)] = {
                        TOTAL: Decimal(raw) if raw not in (None, "") else NoValue("no value")}
    else:
        rows = KpiValue.objects.for_org(org).filter(
            grain="month", dimension_value="", period_start__gte=months[0].start, period_start__lte=months[-1].start,
        ).values_list("period_start", "inputs")
        for start, inputs in rows:
            for slug, raw in ((inputs or {}).get("metrics") or {}).items():
                if slug in wanted:
                    results[(slug, "month", start)] = {
                        TOTAL: Decimal(raw) if raw not in (None, "") else NoValue("no value")}
    found = {slug for slug, _g, _s in results}
    missing = [m for m in metrics if m.slug not in found]
    if missing:
        results |= compute_metrics(org, metrics=missing, periods_by_grain={"month": months}, coverage=coverage,
                                   row_cache=row_cache)
    return results


def _month_pieces(span: Period) -> tuple[list[Period], Period | None]:
    """The whole months of a span that starts on a month's first day, and the part of its last month left over
    (the whole span when it starts mid-month)."""
    if span.start.day != 1:
        return [], span
    last = span.end.replace(day=1)
    full_end = span.end if span.end == month_end(span.end) else last - timedelta(days=1)
    months = periods_between(span.start, full_end, "month", span.fy_start_month)
    return months, (None if full_end == span.end else Period(last, span.end, "month", span.fy_start_month))


def _windows(org, metrics: list, windows: dict, coverage, month_results, row_cache,
             ledger_cache: bool = False) -> dict:
    """The metrics over the "to date" and "same days" spans: one filtered aggregate per metric and span per
    record type (totals_as_spans).

    With a full recompute's `month_results`, a sum or count (not windowed, not on the ledger, aggregated in
    SQL, dated by the field its coverage is read from) is the sum of the span's whole months from those
    results plus its last, partial month: only the partial months are queried (a few spans instead of 13).
    The same rows are summed either way, so the figures are the same (sums of decimals, counts: exact)."""
    pieces = {label: _month_pieces(spans[0]) for label, spans in windows.items()}

    def month_value(m, x: Period) -> Decimal | None:
        """The month's sum from the recompute; 0 before the first record of its type (dated by the field
        coverage is read from, so there is none); None if it is not there (a full recompute has them all)."""
        v = month_results.get((m.slug, "month", x.start), {}).get(TOTAL)
        if isinstance(v, Decimal):
            return v
        first = (coverage.get(coverage_key(m)) or Coverage(None, "")).first
        return Decimal(0) if first is None or x.end < first else None

    def composable(m) -> bool:
        """Decided by the metric's definition (the queries do not depend on the data)."""
        if month_results is None or m.aggregation not in ("sum", "count") or m.window_months:
            return False
        if COVERAGE_FIELD.get(m.record_type) != m.date_field:
            return False  # a secondary date (a deal's close date) can fall before coverage starts
        if ledger_coefficients(m) is not None or (needs_python(m) and not in_database(m)):
            return False
        return all(month_value(m, x) is not None for months, _rest in pieces.values() for x in months)

    composed = [m for m in metrics if composable(m)]
    direct = [m for m in metrics if m not in composed]
    results = compute_metrics(org, metrics=direct, periods_by_grain=windows, coverage=coverage,
                              totals_as_spans=True, row_cache=row_cache,
                              use_ledger_cache=ledger_cache) if direct else {}
    if not composed:
        return results
    rests = {f"rest_{label}": [rest] for label, (_months, rest) in pieces.items() if rest is not None}
    part = compute_metrics(org, metrics=composed, periods_by_grain=rests, coverage=coverage,
                           totals_as_spans=True, row_cache=row_cache) if rests else {}
    for m in composed:
        cov = coverage.get(coverage_key(m)) or Coverage(None, m.record_type)
        for label, (span,) in windows.items():
            missing = cov.check(span)
            if missing is not None:
                results[(m.slug, label, span.start)] = {TOTAL: missing}
                continue
            months, rest = pieces[label]
            total = sum((month_value(m, x) for x in months), Decimal(0))
            if rest is not None:  # before the first record it is "no data": nothing to add
                v = part.get((m.slug, f"rest_{label}", rest.start), {}).get(TOTAL)
                total += v if isinstance(v, Decimal) else Decimal(0)
            results[(m.slug, label, span.start)] = {TOTAL: total}
    return results


def forecasts_compute(org, *, graph: Graph, slugs: set[str], today: date, targets: dict, coverage=None,
                      month_results=None, row_cache=None,
                      ledger_cache: bool = False) -> list[ComputedForecast]:
    """Forecasts of the active KPIs `slugs` for every open period: the running month, quarter and fiscal
    year, and the months of the fiscal year not started yet. One metric pass for all the KPIs, a fixed number
    of queries whatever their number.

    A full recompute hands over what it already has (kpis.services.kpi_values_recompute): the `coverage`
    (no query), its `month_results` (the closed months, no query) and its `row_cache` (the rows its Python
    metrics read: best runs, retained MRR are not read again). What remains is the "to date" and "same days"
    spans: one filtered aggregate per metric and span per record type, the ledger grouped by day once.
    `ledger_cache`: the recompute has just brought the (month, account) ledger cache up to date, so the
    ledger's spans read their whole months from it and only the months they start or end inside by day."""
    slugs = {s for s in slugs if s in graph.kpis}
    if not slugs:
        return []
    fy = org.fiscal_year_start_month
    cur = {g: period_containing(today, g, fy) for g in GRAINS}
    month = cur["month"]
    year = cur["year"]
    months = periods_between(year.start, year.end, "month", fy)
    future = [m for m in months if m.start > today]
    history = periods_between(add_months(year.start, -12), month.start - timedelta(days=1), "month", fy)
    leaves = sorted({m for s in slugs for m in graph.leaf_metrics(s)})
    metrics = [graph.metrics[m] for m in leaves]
    days = {g: (today - p.start).days + 1 for g, p in cur.items()}
    windows = {f"td_{g}": [Period(p.start, today, g, fy)] for g, p in cur.items()}
    windows |= {f"prev_{g}": [_same_days(p.previous(), days[g])] for g, p in cur.items()}
    windows |= {f"ly_{g}": [_same_days(p.same_period_last_year(), days[g])] for g, p in cur.items()}
    back = today - timedelta(days=TREND_DAYS)
    windows["back"] = [Period(back, back, "month", fy)]
    coverage = coverage if coverage is not None else load_coverage(org, metrics)
    results = _history(org, graph, metrics, history, coverage, month_results, row_cache)
    results |= _windows(org, metrics, windows, coverage, month_results, row_cache, ledger_cache)

    def cell(label: str, p: Period, slug: str):
        return results.get((slug, label, p.start), {}).get(TOTAL, NoValue("not computed"))

    def window(label: str, slug: str):
        return cell(label, windows[label][0], slug)

    elapsed_m = Decimal(str(elapsed_fraction(month, today)))
    too_early = elapsed_m < min_share()
    last_closed = history[-1] if history else None

    # --- metric forecasts -----------------------------------------------------------------------
    stock_slope: dict[str, Decimal | None] = {}
    current_est: dict[str, Decimal | NoValue] = {}
    seasonal: dict[str, str] = {}
    for m in metrics:
        kind = metric_kind(m)
        td = window("td_month", m.slug)
        if kind == STOCK:
            now, before = _num(td), _num(window("back", m.slug))
            stock_slope[m.slug] = (now - before) / TREND_DAYS if now is not None and before is not None else None
            continue
        if kind == LEVEL:
            current_est[m.slug] = td
            continue
        ly_full = cell("month", month.same_period_last_year(), m.slug)
        if too_early:
            fallback = cell("month", last_closed, m.slug) if last_closed else NoValue("no history")
            current_est[m.slug] = ly_full if _num(ly_full) is not None else fallback
            continue
        ly_td = _num(window("ly_month", m.slug))
        if _num(td) is None:
            current_est[m.slug] = td
        else:
            run_rate = Decimal(month.days) / Decimal(days["month"])
            factor = ly_full / ly_td if _num(ly_full) is not None and ly_full > 0 and ly_td and ly_td > 0 else None
            if factor is not None and MAX_SEASONAL_SKEW ** -1 <= factor / run_rate <= MAX_SEASONAL_SKEW:
                seasonal[m.slug] = str(factor.quantize(Decimal("0.0001")))
                current_est[m.slug] = td * factor
            else:  # no usable last year (none, negative, or a first few days too thin to learn from)
                current_est[m.slug] = td * run_rate

    def stock_at(slug: str, end: date):
        now = window("td_month", slug)
        slope = stock_slope.get(slug)
        if _num(now) is None or slope is None:
            return now
        return now + slope * (end - today).days

    def month_env(p: Period) -> dict:
        """Metric values for one month of the fiscal year: actual (closed), estimate (running), or future."""
        env = {}
        for m in metrics:
            kind = metric_kind(m)
            if p.end < month.start:
                env[m.slug] = cell("month", p, m.slug)
            elif kind == STOCK:
                env[m.slug] = stock_at(m.slug, p.end)
            elif kind == LEVEL or p == month:
                env[m.slug] = current_est[m.slug]
            else:
                ly = cell("month", p.same_period_last_year(), m.slug)
                env[m.slug] = ly if _num(ly) is not None else current_est[m.slug]
        return env

    def period_env(g: str, p: Period) -> dict:
        if g == "month":
            return month_env(p)
        env = {}
        parts = [month_env(x) for x in periods_between(p.start, p.end, "month", fy)]
        for m in metrics:
            kind = metric_kind(m)
            if kind == STOCK:
                env[m.slug] = stock_at(m.slug, p.end)
            elif kind == LEVEL:
                env[m.slug] = window(f"td_{g}", m.slug)
            else:
                values = [part[m.slug] for part in parts]
                bad = next((v for v in values if _num(v) is None), None)
                env[m.slug] = bad if bad is not None else sum(values, Decimal(0))
        return env

    def evaluate(env: dict, g: str, p: Period) -> dict[str, tuple[Decimal | None, str]]:
        res = {(slug, g, p.start): {TOTAL: v} for slug, v in env.items()}
        out = evaluate_period(graph, res, grain=g, period=p, slugs=slugs, targets=targets, dimension_values=[],
                              with_inputs=False)
        return {c.kpi_slug: (c.value, c.reason) for c in out if c.dimension_value == TOTAL}

    def evaluate_window(label: str, g: str) -> dict[str, tuple[Decimal | None, str]]:
        p = windows[label][0]
        env = {m.slug: window(label, m.slug) for m in metrics}
        return evaluate(env, g, p)

    memo: dict = {}
    kinds = {s: kpi_kind(graph, s, memo) for s in slugs}

    def stock_method(s: str) -> str:
        return STOCK_TREND if any(stock_slope.get(m) is not None for m in graph.leaf_metrics(s)) else STOCK_FLAT

    month_values = {x.start: evaluate(month_env(x), "month", x) for x in [*months] if x.end >= month.start}
    closed_values = {x.start: evaluate({m.slug: cell("month", x, m.slug) for m in metrics}, "month", x)
                     for x in months if x.end < month.start}
    out: list[ComputedForecast] = []
    for g, p in cur.items():
        elapsed = Decimal(str(elapsed_fraction(p, today)))
        td = evaluate_window(f"td_{g}", g)
        prev = evaluate_window(f"prev_{g}", g)
        ly = evaluate_window(f"ly_{g}", g)
        fc = month_values[p.start] if g == "month" else evaluate(period_env(g, p), g, p)
        last_year = {}
        if g == "month":
            ly_month = p.same_period_last_year()
            last_year = evaluate({m.slug: cell("month", ly_month, m.slug) for m in metrics}, "month", ly_month)
        for s in sorted(slugs):
            kind = kinds[s]
            value, reason = fc.get(s, (None, "not computed"))
            to_date = td.get(s, (None, ""))[0]
            basis: dict = {"days": days[g], "period_days": p.days}
            if g != "month" and kind == FLOW:
                parts = [closed_values[x.start] if x.end < month.start else month_values[x.start]
                         for x in periods_between(p.start, p.end, "month", fy)]
                values = [part.get(s, (None, ""))[0] for part in parts]
                value = None if any(v is None for v in values) else sum((_q(v) for v in values), Decimal(0))
                method = SUM_OF_MONTHS
                basis["closed_months"] = sum(1 for x in periods_between(p.start, p.end, "month", fy)
                                             if x.end < month.start)
            elif kind == STOCK:
                method = stock_method(s)
            elif g == "month" and too_early:
                method = TOO_EARLY
                basis["min_share"] = str(min_share())
            elif kind == LEVEL:
                method = LEVEL_TO_DATE
            elif kind == FLOW:
                used = {m: seasonal[m] for m in graph.leaf_metrics(s) if m in seasonal}
                method = SEASONAL if used else RUN_RATE
                if used:
                    basis["factors"] = used
            else:
                method = RATIO_OF_FORECASTS
                if value is not None and to_date not in (None, Decimal(0)):
                    move = abs(value - to_date) / abs(to_date)
                    if move > ratio_max_move():
                        method = RATIO_HELD
                        basis["move"] = str(move.quantize(CENT))
                        basis["forecast"] = str(value.quantize(CENT))
                        value = to_date
            if value is None:
                method = NO_FORECAST
                basis["reason"] = reason[:200]
            out.append(ComputedForecast(
                kpi_slug=s, period=p, value=_q(value), method=method, elapsed=elapsed.quantize(Decimal("0.0001")),
                to_date=_q(to_date), previous_same_days=_q(prev.get(s, (None, ""))[0]),
                last_year_same_days=_q(ly.get(s, (None, ""))[0]),
                last_year=_q(last_year.get(s, (None, ""))[0]), basis=basis))
        if g == "month":
            for x in future:
                values = month_values[x.start]
                for s in sorted(slugs):
                    value, reason = values.get(s, (None, "not computed"))
                    kind = kinds[s]
                    if value is None:
                        method, basis = NO_FORECAST, {"reason": reason[:200]}
                    elif kind == STOCK:
                        method, basis = stock_method(s), {}
                    elif kind == LEVEL:
                        method, basis = LEVEL_TO_DATE, {}
                    elif kind == FLOW:
                        has_ly = all(_num(cell("month", x.same_period_last_year(), m)) is not None
                                     for m in graph.leaf_metrics(s) if metric_kind(graph.metrics[m]) == FLOW)
                        method, basis = (LAST_YEAR if has_ly else CURRENT_PACE), {}
                    else:
                        method, basis = RATIO_OF_FORECASTS, {}
                    out.append(ComputedForecast(kpi_slug=s, period=x, value=_q(value), method=method,
                                                elapsed=Decimal(0), basis=basis))
    return out


__all__ = ["ComputedForecast", "forecasts_compute", "kpi_kind", "metric_kind"]
