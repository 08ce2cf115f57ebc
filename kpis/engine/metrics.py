"""Metric values in the database: a fixed number of grouped aggregate queries, whatever the periods or rows.

Per record type and grain:
- flows (sum, count, avg, distinct count, min, max) and balances: ONE query that groups the rows by
  period (a CASE over the periods' date ranges, so fiscal quarters and years work for any start
  month) with one aggregate per metric; a balance adds one query for the opening balance and is
  the running total of its flows;
- trailing windows and snapshots (records open on a day): ONE query with one filtered aggregate per
  metric and period;
- a dimension (segment, channel…) adds the same query grouped by the dimension as well.
Durations (hours/days between two fields) and percentiles are aggregated in the same grouped queries on
PostgreSQL (EXTRACT(EPOCH …), percentile_cont); on SQLite, which has neither, they read the rows once with
one query per metric and are aggregated in Python (tests/kpis/engine/test_durations_in_sql_equal_python.py
checks the two agree). Retained MRR and the best 28 days stay in Python.
Open-invoice sums less payments take the payments off with ONE joined aggregate over payments.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from kpis.engine.formula import NoValue, parse_value_expression
from kpis.engine.records import (
    ADDITIVE,
    COVERAGE_FIELD,
    SNAPSHOT_AGGREGATIONS,
    compile_python_value,
    day_q,
    flow_span,
    in_database,
    is_datetime,
    metric_q,
    model_for,
    needs_python,
    snapshot_day,
    span_q,
    value_expression,
    value_fields,
)
from kpis.periods import Period, month_end, periods_between

NO_DIMENSION = "unspecified"
TOTAL = ""

# {(metric slug, grain, period start): {dimension value ("" = total): Decimal | NoValue}}
MetricResults = dict[tuple[str, str, date], dict[str, Decimal | NoValue]]


@dataclass(frozen=True)
class Coverage:
    first: date | None
    label: str

    def check(self, period: Period) -> NoValue | None:
        if self.first is None:
            return NoValue(f"no data yet ({self.label})")
        if period.end < self.first:
            return NoValue(f"no {self.label} before {self.first.isoformat()}")
        return None


def _as_date(v) -> date | None:
    """A datetime's local day (the tenant's time zone is the project's)."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.astimezone(timezone.get_current_timezone()).date() if v.tzinfo is not None else v.date()
    return v


def coverage_key(metric) -> tuple[str, str]:
    """Operational series are covered series by series; other record types as a whole."""
    if metric.record_type == "operationalvalue":
        return ("operationalvalue", str((metric.filters or {}).get("where", {}).get("series", "")))
    return (metric.record_type, "")


def load_coverage(org, metrics) -> dict[tuple[str, str], Coverage]:
    """First record date per record type (per series for operational values); one query per record type."""
    keys = sorted({coverage_key(m) for m in metrics})
    by_type: dict[str, list[str]] = defaultdict(list)
    for record_type, series in keys:
        by_type[record_type].append(series)
    out = {}
    for record_type, series_list in by_type.items():
        model = model_for(record_type)
        field = COVERAGE_FIELD[record_type]
        qs = model.objects.for_org(org).filter(is_deleted=False)
        label = str(model._meta.verbose_name_plural)
        if record_type == "operationalvalue":
            aggs = {f"s{i}": Min(field, filter=Q(series=s)) for i, s in enumerate(series_list)}
            row = qs.aggregate(**aggs)
            for i, s in enumerate(series_list):
                out[(record_type, s)] = Coverage(_as_date(row[f"s{i}"]), f"“{s}” values")
        else:
            first = qs.aggregate(first=Min(field))["first"]
            out[(record_type, "")] = Coverage(_as_date(first), label)
    return out


def _aggregate(metric, expr_filter: Q):
    agg = metric.aggregation.removeprefix("snapshot_")
    if agg == "balance":
        agg = "sum"
    if agg == "count":
        return Count("pk", filter=expr_filter)
    if agg == "distinct_count":
        return Count(metric.distinct_field or metric.value or "pk", filter=expr_filter, distinct=True)
    expr = value_expression(metric)
    if agg == "percentile":
        pct = metric.percentile if metric.percentile is not None else Decimal(50)
        return PercentileCont(expr, fraction=repr(float(Decimal(pct) / 100)), filter=expr_filter)
    return {"sum": Sum, "avg": Avg, "min": Min, "max": Max}[agg](expr, filter=expr_filter)


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (linear interpolation between closest ranks, like `_percentile`)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _prefixed(q: Q, prefix: str) -> Q:
    """The same conditions seen from a related row (`invoice__` + each lookup)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_prefixed(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children]
    return out


def _payments_of_open_invoices(org, open_filters: dict[str, tuple[Q, date]], dim: str):
    """Σ of the payments dated on or before each snapshot day of the invoices open that day, per alias:
    ONE joined aggregate over payments (with `dim`, one more grouped by the invoice's dimension)."""
    from integrations.models import Payment

    payments = Payment.objects.for_org(org).filter(is_deleted=False)
    aggs = {alias: Sum("amount", filter=_prefixed(q, "invoice__") & Q(date__lte=day))
            for alias, (q, day) in open_filters.items()}
    rows = [(TOTAL, _aggregate_row(payments, aggs))]
    if dim:
        rows += [(_dim(r[f"invoice__{dim}"]), r)
                 for r in payments.values(f"invoice__{dim}").annotate(**aggs).order_by()]
    return rows


def _aggregate_row(qs, aggs: dict) -> dict:
    """`qs.aggregate(**aggs)` for many independent aggregates, with the same SQL and converters.

    Django lets each aggregate refer to the ones before it, so it rewrites every aggregate against all the
    previous ones (`replace_expressions`, hashing whole expression trees): quadratic in their number, ~70 %
    of the forecasts' time on a shop (240 filtered aggregates over the "same days" spans). Ours never refer
    to each other: each is resolved once. A query with annotations, grouping, slicing or DISTINCT (which
    Django wraps in a subquery) takes Django's own path."""
    from django.db.models.sql.constants import SINGLE

    query = qs.query
    if (query.annotations or query.group_by is not None or query.is_sliced or query.distinct
            or query.combinator or query.extra or not aggs):
        return qs.aggregate(**aggs)
    query = query.chain()
    resolved = {}
    for alias, aggregate in aggs.items():
        query.check_alias(alias)
        resolved[alias] = aggregate.resolve_expression(query, allow_joins=True, reuse=None, summarize=True)
    query.select = ()
    query.selected = None
    query.default_cols = False
    query.annotations = resolved
    query.set_annotation_mask(resolved)
    cols = list(query.annotation_select.values())
    empty = [c.empty_result_set_value for c in cols]
    query.clear_ordering(force=True)
    query.select_for_update = False
    query.select_related = False
    compiler = query.get_compiler(qs.db, elide_empty=not any(v is NotImplemented for v in empty))
    result = compiler.execute_sql(SINGLE)
    if result is None:
        result = empty
    else:
        result = next(compiler.apply_converters((result,), compiler.get_converters(cols)))
    return dict(zip(query.annotation_select, result, strict=True))


def _dec(v) -> Decimal | None:
    if v is None:
        return None
    return v if isinstance(v, Decimal) else Decimal(str(v))


def _dim(v) -> str:
    return NO_DIMENSION if v in (None, "") else str(v)[:120]


def compute_metrics(
    org,
    *,
    metrics,
    periods_by_grain: dict[str, list[Period]],
    coverage: dict | None = None,
    use_ledger_cache: bool = False,
    totals_as_spans: bool = False,
    row_cache: dict | None = None,
) -> MetricResults:
    """Values of every metric for every requested period, total and per dimension value.

    `totals_as_spans`: totals only, one query per record type for all periods whatever their shape (one
    filtered aggregate per metric and span): for many odd periods such as the forecasts' "same days".
    `row_cache`: a dict that lives for one recompute; the rows a metric aggregated in Python reads are kept
    in it, and a later call (the forecasts) whose days they cover reads none again."""
    metrics = list(metrics)
    coverage = coverage if coverage is not None else load_coverage(org, metrics)
    raw: dict[tuple[str, str, date], dict[str, Decimal | None]] = defaultdict(dict)

    grouped: dict[tuple, list] = defaultdict(list)
    windowed: dict[tuple, list] = defaultdict(list)
    python: list = []
    ledger_fast: list = []
    snapshots: dict[tuple, list] = defaultdict(list)
    aligned = _month_aligned(periods_by_grain)
    ledger_days: list = []
    # A record type the tenant has no row of gives "no data yet" everywhere: no query for it.
    with_rows = [m for m in metrics if (coverage.get(coverage_key(m)) or Coverage(None, "")).first is not None]
    for m in with_rows:
        in_python = needs_python(m) and not in_database(m)
        if totals_as_spans and ledger_coefficients(m) is not None:
            ledger_days.append(m)
        elif totals_as_spans and not in_python:
            windowed[(m.record_type, "")].append(m)
        elif aligned and ledger_coefficients(m) is not None:
            ledger_fast.append(m)
        elif aligned and m.aggregation in ("snapshot_sum", "snapshot_count") and not in_python:
            age = (m.options or {}).get("age_field", "")
            snapshots[(m.record_type, m.dimension_field, m.date_field, m.end_field, age)].append(m)
        elif in_python:
            python.append(m)
        elif m.aggregation in SNAPSHOT_AGGREGATIONS or m.window_months:
            windowed[(m.record_type, m.dimension_field)].append(m)
        else:
            grouped[(m.record_type, m.date_field, _dimension_key(m))].append(m)

    if ledger_fast:
        _ledger_by_month(org, ledger_fast, periods_by_grain, raw, use_cache=use_ledger_cache)
    if ledger_days:  # odd spans (the forecasts' "same days"): lines grouped by (day, account), once
        _ledger_by_month(org, ledger_days, periods_by_grain, raw, use_cache=use_ledger_cache, by_day=True)
    for key, group in snapshots.items():
        _snapshots_by_month(org, key, group, periods_by_grain, raw)
    # The aggregates of a group are built once and reused by every grain's query (and its dimension query).
    built = {key: {f"m{j}": _aggregate(m, metric_q(m)) for j, m in enumerate(group)} for key, group in grouped.items()}
    for (record_type, date_field, dim), group in grouped.items():
        aggs = built[(record_type, date_field, dim)]
        if aligned and _rolls_up(group, periods_by_grain):
            _grouped_rolled_up(org, record_type, date_field, dim, group, periods_by_grain, raw, aggs)
            continue
        for grain, periods in periods_by_grain.items():
            if periods:
                _grouped_query(org, record_type, date_field, dim, group, grain, periods, raw, aggs)
    for (record_type, dim), group in windowed.items():
        _filtered_query(org, record_type, dim, group, periods_by_grain, raw)
    for m in python:
        _python_metric(org, m, periods_by_grain, raw, row_cache)

    results: MetricResults = {}
    for m in metrics:
        cov = coverage.get(coverage_key(m)) or Coverage(None, m.record_type)
        for grain, periods in periods_by_grain.items():
            for p in periods:
                key = (m.slug, grain, p.start)
                missing = cov.check(p)
                values = raw.get(key, {})
                out: dict[str, Decimal | NoValue] = {}
                if missing is not None:
                    out[TOTAL] = missing
                    results[key] = out
                    continue
                for dim_value, v in values.items():
                    if v is None:
                        out[dim_value] = (
                            Decimal(0)
                            if m.aggregation in ADDITIVE
                            else NoValue("no matching records in the period")
                        )
                    else:
                        out[dim_value] = v
                if TOTAL not in out:
                    out[TOTAL] = (
                        Decimal(0)
                        if m.aggregation in ADDITIVE
                        else NoValue("no matching records in the period")
                    )
                results[key] = out
    return results


def _period_case(model, field: str, periods: list[Period]) -> Case:
    return Case(
        *[When(day_q(model, field, gte=p.start, lte=p.end), then=Value(i)) for i, p in enumerate(periods)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _dimension_key(metric) -> str | tuple[str, int]:
    """The dimension field, or (field, n) when only its first n characters count (a PCG class: 2)."""
    prefix = (metric.options or {}).get("dimension_prefix")
    if metric.dimension_field and prefix:
        return (metric.dimension_field, int(prefix))
    return metric.dimension_field


def _grouped_query(org, record_type, date_field, dim, group, grain, periods, raw, aggs: dict | None = None) -> None:
    model = model_for(record_type)
    base = model.objects.for_org(org)
    if isinstance(dim, tuple):
        from django.db.models.functions import Substr

        base = base.annotate(_dim=Substr(dim[0], 1, dim[1]))
        dim = "_dim"
    aggs = aggs if aggs is not None else {f"m{j}": _aggregate(m, metric_q(m)) for j, m in enumerate(group)}
    ranged = base.filter(day_q(model, date_field, gte=periods[0].start, lte=periods[-1].end))
    ranged = ranged.annotate(_period=_period_case(model, date_field, periods))
    shapes = [("_period",)] + ([("_period", dim)] if dim else [])
    for shape in shapes:
        for row in ranged.values(*shape).annotate(**aggs).order_by():
            i = row["_period"]
            if i < 0:
                continue
            dim_value = _dim(row[dim]) if len(shape) == 2 else TOTAL
            for j, m in enumerate(group):
                raw[(m.slug, grain, periods[i].start)][dim_value] = _dec(row[f"m{j}"])
    balances = [(j, m) for j, m in enumerate(group) if m.aggregation == "balance"]
    if not balances:
        return
    # Stocks: opening balance before the first period, then the running total of the flows.
    opening_aggs = {f"m{j}": aggs[f"m{j}"] for j, _m in balances}
    before = base.filter(day_q(model, date_field, lt=periods[0].start))
    openings: dict[str, dict[int, Decimal]] = defaultdict(dict)
    row = before.aggregate(**opening_aggs)
    for j, _m in balances:
        openings[TOTAL][j] = _dec(row[f"m{j}"]) or Decimal(0)
    if dim:
        for row in before.values(dim).annotate(**opening_aggs).order_by():
            for j, _m in balances:
                openings[_dim(row[dim])][j] = _dec(row[f"m{j}"]) or Decimal(0)
    for j, m in balances:
        dims = set(openings) | {d for p in periods for d in raw.get((m.slug, grain, p.start), {})}
        for dim_value in dims:
            running = openings.get(dim_value, {}).get(j, Decimal(0))
            for p in periods:
                cell = raw[(m.slug, grain, p.start)]
                running += cell.get(dim_value) or Decimal(0)
                cell[dim_value] = running


PLAIN_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")


def _sums_exactly(metric) -> bool:
    """A quarter's or a year's value is exactly the sum of its months': counts, and sums of a plain column
    (money and quantities: a few decimals, added exactly on every database). A sum of a computed value (a
    duration's hours: a division) could differ in its last digits between the database and Python."""
    return metric.aggregation == "count" or (
        metric.aggregation == "sum" and bool(PLAIN_FIELD.match((metric.value or "").strip())))


def _rolls_up(group, periods_by_grain) -> bool:
    """Worth querying months only: several grains asked for, a metric that rolls up, no balance (its running
    total starts from an opening of its own)."""
    grains = [g for g, ps in periods_by_grain.items() if ps]
    return (len(grains) > 1 and any(_sums_exactly(m) for m in group)
            and not any(m.aggregation == "balance" for m in group))


def _grouped_rolled_up(org, record_type, date_field, dim, group, periods_by_grain, raw, aggs: dict) -> None:
    """The grouped query once by month over every month the periods span; sums and counts of the quarters and
    years added up from their months (exact: decimals and integers), the other aggregates (averages,
    percentiles, distinct counts, min, max) queried per grain as before, alone. Three queries become one for a
    group of sums and counts."""
    every = [p for ps in periods_by_grain.values() for p in ps]
    fy = every[0].fy_start_month
    months = periods_between(min(p.start for p in every), max(p.end for p in every), "month", fy)
    by_month: dict = defaultdict(dict)
    _grouped_query(org, record_type, date_field, dim, group, "month", months, by_month, aggs)
    rest = [j for j, m in enumerate(group) if not _sums_exactly(m)]
    for grain, periods in periods_by_grain.items():
        if not periods:
            continue
        if grain == "month":
            for m in group:
                for p in periods:
                    if (m.slug, "month", p.start) in by_month:
                        raw[(m.slug, "month", p.start)].update(by_month[(m.slug, "month", p.start)])
            continue
        for m in group:
            if not _sums_exactly(m):
                continue
            for p in periods:
                totals: dict[str, Decimal | None] = {}
                for x in months:
                    if p.start <= x.start <= p.end:
                        for dim_value, v in by_month.get((m.slug, "month", x.start), {}).items():
                            before = totals.get(dim_value)
                            totals[dim_value] = v if before is None else (before if v is None else before + v)
                if totals:
                    raw[(m.slug, grain, p.start)].update(totals)
        if rest:
            _grouped_query(org, record_type, date_field, dim, [group[j] for j in rest], grain, periods, raw,
                           {f"m{k}": aggs[f"m{j}"] for k, j in enumerate(rest)})


def _span_key(metric, period: Period) -> tuple:
    """Periods of different grains often share a span (a quarter's end day is a month's end day)."""
    if metric.aggregation in SNAPSHOT_AGGREGATIONS:
        return ("day", snapshot_day(metric, period))
    return ("span", *flow_span(metric, period))


def _filtered_query(org, record_type, dim, group, periods_by_grain, raw) -> None:
    """One query for every grain: one filtered aggregate per metric and distinct span (snapshot day or window)."""
    model = model_for(record_type)
    base = model.objects.for_org(org)
    aggs = {}
    open_filters: dict[str, tuple[Q, date]] = {}  # open-invoice sums: their payments are taken off
    aliases: dict[tuple, str] = {}
    plan = []  # (metric, grain, period, alias)
    for j, m in enumerate(group):
        mq = metric_q(m)
        for grain, periods in periods_by_grain.items():
            for p in periods:
                key = (j, _span_key(m, p))
                if key not in aliases:
                    aliases[key] = f"a{len(aliases)}"
                    aggs[aliases[key]] = _aggregate(m, mq & span_q(m, p))
                    if (m.options or {}).get("less_payments") and m.aggregation == "snapshot_sum":
                        open_filters[aliases[key]] = (mq & span_q(m, p), snapshot_day(m, p))
                plan.append((m, grain, p, aliases[key]))
    if not aggs:
        return
    rows = [(TOTAL, _aggregate_row(base, aggs))]
    if dim:
        rows += [(_dim(r[dim]), r) for r in base.values(dim).annotate(**aggs).order_by()]
    if open_filters:
        by_dim = dict(rows)
        for dim_value, paid in _payments_of_open_invoices(org, open_filters, dim):
            row = by_dim.setdefault(dim_value, {})
            for alias in open_filters:
                if paid.get(alias) is not None:
                    row[alias] = (_dec(row.get(alias)) or Decimal(0)) - _dec(paid[alias])
        rows = list(by_dim.items())
    for dim_value, row in rows:
        for m, grain, p, alias in plan:
            v = _dec(row.get(alias))
            if dim_value != TOTAL and v in (None, Decimal(0)) and m.aggregation != "avg":
                continue  # keep breakdowns sparse
            raw[(m.slug, grain, p.start)][dim_value] = v


# --- open records at month ends: one pass grouped by (start month, end month, age day) ------------------


def _snapshots_by_month(org, key, group, periods_by_grain, raw) -> None:
    """Records open at a month end: ONE query grouping rows by the month they open, the month they close
    and (for ageing) their due day, then running sums over the months in Python. Exact, because a record is
    open on the last day D of month M iff it opened in a month ≤ M and closes after M (the periods are
    month-aligned, so every snapshot day is a month end).

    Each row is open over a half-open range of months [from, until) (`_open_months`: its open and close
    months, narrowed by the ageing bounds); it adds its value at `from` and takes it off at `until`, and
    the snapshot of month M is the running sum up to M: O(rows + months) per metric instead of
    O(rows × periods).

    A metric with `options.less_payments` (invoices) counts what was still due on the day: one more
    query groups the invoices' payments the same way plus by their own month, and a payment made in
    a month ≤ M is taken off the snapshot of M (partial payments, credit notes applied): its range starts
    at the later of the invoice's open month and its own month."""
    record_type, dim, date_field, end_field, age_field = key
    model = model_for(record_type)
    last = max(p.end for ps in periods_by_grain.values() for p in ps)
    first = min(snapshot_day(m, p) for m in group for ps in periods_by_grain.values() for p in ps)
    qs = model.objects.for_org(org).filter(day_q(model, date_field, lte=last))
    if end_field:  # records closed before the first snapshot day count nowhere
        qs = qs.filter(Q(**{f"{end_field}__isnull": True}) | day_q(model, end_field, gt=first))
    aggs = {f"m{j}": _aggregate(m, metric_q(m)) for j, m in enumerate(group)}
    rows = _month_rows(qs, key, aggs)
    paid: dict[int, list] = {}
    by_filters: dict[str, list] = {}  # metrics that filter invoices alike share one payments query
    for j, m in enumerate(group):
        if (m.options or {}).get("less_payments"):
            same = json.dumps(m.filters or {}, sort_keys=True, default=str)
            if same not in by_filters:
                by_filters[same] = _payment_month_rows(org, qs.filter(metric_q(m)), key)
            paid[j] = by_filters[same]

    for j, m in enumerate(group):
        options = m.options or {}
        cells = [(grain, p.start, _month_index(snapshot_day(m, p))) for grain, ps in periods_by_grain.items()
                 for p in ps]
        at = _running_snapshots(
            [(sm, em, age, dim_value, r[f"m{j}"]) for sm, em, age, dim_value, r in rows if r[f"m{j}"]],
            [(sm, em, age, dim_value, -_dec(r["s"]), r["_pm"]) for sm, em, age, dim_value, r in paid.get(j, ())],
            months=sorted({i for _g, _s, i in cells}), by_dimension=bool(dim),
            lo=options.get("age_min_days"), hi=options.get("age_max_days"), age_field=age_field,
        )
        for grain, start, i in cells:
            raw[(m.slug, grain, start)].update(at[i])


def _running_snapshots(rows, payments, *, months: list[int], by_dimension: bool, lo, hi,
                       age_field: str) -> dict[int, dict[str, Decimal]]:
    """{month index: {dimension value: sum of the rows open at that month's end}} for the given months.

    `rows` are (open month, close month, age day, dimension value, value), `payments` the same plus the
    payment's month (their value already negative). Each adds its value to the month where its range
    opens and takes it off where it closes (one list of changes per dimension value), then one running sum
    over the months; a dimension value appears where at least one of its rows is open, the total always."""
    size = len(months) + 1
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * size)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    entries = [(sm, em, age, d, v, None) for sm, em, age, d, v in rows] + list(payments)
    for sm, em, age, dim_value, v, paid_in in entries:
        span = _open_months(sm, em, age, lo, hi, age_field, paid_in=paid_in)
        if span is None:
            continue
        a = bisect.bisect_left(months, span[0])
        b = len(months) if span[1] is None else bisect.bisect_left(months, span[1])
        if a >= b:
            continue  # open at none of the snapshot months
        v = _dec(v)
        for d in (TOTAL, dim_value) if by_dimension else (TOTAL,):
            sums[d][a] += v
            sums[d][b] -= v
            counts[d][a] += 1
            counts[d][b] -= 1
    at: dict[int, dict[str, Decimal]] = {i: {TOTAL: Decimal(0)} for i in months}
    for d, changes in sums.items():
        running, counted = Decimal(0), 0
        for k, i in enumerate(months):
            running += changes[k]
            counted += counts[d][k]
            if counted:
                at[i][d] = running
    return at


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _open_months(sm, em, age, lo, hi, age_field: str, paid_in: date | None = None) -> tuple[int, int | None] | None:
    """The month indexes [from, until) at whose ends a row opened in month `sm` and closed in month `em` is
    open (and, with an age field, between `lo` and `hi` days old); None when at no month end. `paid_in`: a
    payment of the row, which counts from its own month on."""
    start = _month_index(sm)
    if paid_in is not None:
        start = max(start, _month_index(paid_in))
    until = None if em is None else _month_index(em)
    if age_field:
        if age is None:
            return None
        if lo is not None:  # old enough from the month end on or after age + lo
            start = max(start, _month_index(age + timedelta(days=int(lo))))
        if hi is not None:  # too old after age + hi: the last month end on or before it is the last counted
            limit = age + timedelta(days=int(hi))
            bound = _month_index(limit) + (1 if limit == month_end(limit) else 0)
            until = bound if until is None else min(until, bound)
    if until is not None and until <= start:
        return None
    return start, until


def _month(v) -> date | None:
    return None if v is None else (_as_date(v) if isinstance(v, datetime) else v)


def _month_rows(qs, key, aggs, prefix: str = "", extra: dict | None = None) -> list[tuple]:
    """Rows grouped by (start month, end month, age day, dimension[, extra]) as (sm, em, age, dim, row)."""
    from django.db.models.functions import TruncMonth

    _record_type, dim, date_field, end_field, age_field = key
    annotations = {"_sm": TruncMonth(prefix + date_field), **(extra or {})}
    fields = ["_sm", *(extra or {})]
    if end_field:
        annotations["_em"] = TruncMonth(prefix + end_field)
        fields.append("_em")
    if age_field:
        fields.append(prefix + age_field)
    if dim:
        fields.append(prefix + dim)
    out = []
    for r in qs.annotate(**annotations).values(*fields).annotate(**aggs).order_by():
        age = r[prefix + age_field] if age_field else None
        for name in extra or {}:
            r[name] = _month(r[name])
        out.append((_month(r["_sm"]), _month(r.get("_em")), _as_date(age) if isinstance(age, datetime) else age,
                    _dim(r[prefix + dim]) if dim else TOTAL, r))
    return out


def _payment_month_rows(org, invoices, key) -> list[tuple]:
    """The payments of these invoices, grouped like the invoices and by the payment's month: ONE query."""
    from django.db.models.functions import TruncMonth

    from integrations.models import Payment

    payments = Payment.objects.for_org(org).filter(is_deleted=False, invoice__in=invoices.values("pk"))
    return _month_rows(payments, key, {"s": Sum("amount")}, prefix="invoice__", extra={"_pm": TruncMonth("date")})


def _month_aligned(periods_by_grain) -> bool:
    from kpis.periods import month_end

    return all(p.start.day == 1 and p.end == month_end(p.end) for ps in periods_by_grain.values() for p in ps)


def ledger_coefficients(metric) -> tuple[Decimal, Decimal] | None:
    """(a, b) when the metric is Σ a·debit + b·credit over ledger lines filtered only by account prefixes."""
    filters = metric.filters or {}
    prefix_dimension = metric.dimension_field == "account_number" and (metric.options or {}).get(
        "dimension_prefix"
    )
    if (
        metric.record_type != "ledgerline"
        or metric.date_field != "date"
        or (metric.dimension_field and not prefix_dimension)
        or metric.aggregation not in ("sum", "balance")
        or filters.get("where")
        or filters.get("exclude")
        or not metric.value
    ):
        return None
    from kpis.engine.formula import Binary, Ref, Unary

    def walk(n, sign):
        if isinstance(n, Ref) and n.name in ("debit", "credit"):
            return {n.name: sign}
        if isinstance(n, Unary):
            return walk(n.operand, -sign)
        if isinstance(n, Binary) and n.op in "+-":
            left, right = walk(n.left, sign), walk(n.right, sign if n.op == "+" else -sign)
            if left is None or right is None:
                return None
            return {k: left.get(k, 0) + right.get(k, 0) for k in left.keys() | right.keys()}
        return None

    coefficients = walk(parse_value_expression(metric.value), 1)
    if coefficients is None:
        return None
    return Decimal(coefficients.get("debit", 0)), Decimal(coefficients.get("credit", 0))


def _ledger_rows(
    ledger, *, months: set[date] | None = None, first: date | None = None, last: date | None = None,
    by_day: bool = False,
):
    """Ledger lines summed per (month, account) (or per day), for some months or a date range: ONE grouped query."""
    from django.db.models import F
    from django.db.models.functions import TruncMonth

    from kpis.periods import month_end

    qs = ledger
    if months is not None:
        spans = Q()
        for m in sorted(months):
            spans |= Q(date__gte=m, date__lte=month_end(m))
        qs = qs.filter(spans)
    if first is not None:
        qs = qs.filter(date__gte=first)
    if last is not None:
        qs = qs.filter(date__lte=last)
    out = []
    for r in (
        (qs.annotate(month=F("date")) if by_day else qs.annotate(month=TruncMonth("date")))
        .values("month", "account_number")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        out.append((month, r["account_number"], _dec(r["d"]) or Decimal(0), _dec(r["c"]) or Decimal(0)))
    return out


def ledger_cache_refresh(org, *, months: set[date] | None) -> None:
    """Bring the (month, account) cache of the ledger up to date: every month (months=None) or only these.

    Writes only what changed, like the values (kpis.services._write): the cached rows of those months are
    read as tuples, the new and changed sums upserted, the accounts no longer in a month deleted; a full
    recompute over an unchanged ledger writes nothing. A refresh of some months on a tenant whose cache
    was never built builds it whole.
    """
    from integrations.models import LedgerLine
    from kpis.models import KpiLedgerMonth

    cache_rows = KpiLedgerMonth.objects.for_org(org)
    if months is not None and not cache_rows.exists():
        months = None
    if months is not None and not months:
        return
    ledger = LedgerLine.objects.for_org(org).filter(is_deleted=False)
    rows = _ledger_rows(ledger, months=months)
    scope = cache_rows if months is None else cache_rows.filter(month__in=sorted(months))
    stored = {(m, a): (pk, d, c) for pk, m, a, d, c in
              scope.values_list("pk", "month", "account_number", "debit", "credit")}
    changed = []
    for m, a, d, c in rows:
        before = stored.pop((m, a), None)
        if before is None or before[1:] != (d, c):
            changed.append(KpiLedgerMonth(organization=org, month=m, account_number=a, debit=d, credit=c))
    gone = sorted(pk for pk, _d, _c in stored.values())
    for i in range(0, len(gone), 2000):
        cache_rows.filter(pk__in=gone[i:i + 2000]).delete()
    if changed:
        KpiLedgerMonth.objects.bulk_create(changed, batch_size=2000, update_conflicts=True,
                                           unique_fields=["organization", "month", "account_number"],
                                           update_fields=["debit", "credit"])


def _partial_months(metrics, periods: list[Period]) -> set[date]:
    """First days of the months that some metric's span over these periods starts or ends inside."""
    out = set()
    for m in metrics:
        for p in periods:
            start, end = (None, p.end) if m.aggregation == "balance" else flow_span(m, p)
            if start is not None and start.day != 1:
                out.add(start.replace(day=1))
            if end != month_end(end):
                out.add(end.replace(day=1))
    return out


def _ledger_by_month(org, metrics, periods_by_grain, raw, *, use_cache: bool = False, by_day: bool = False) -> None:
    """Sums and balances of ledger lines, then prefix matching and roll-up in Python. Exact for any
    month-aligned span (months, fiscal quarters and years, trailing windows); `by_day` groups the lines by
    day instead of month, exact for any span (the forecasts' "same days" windows).

    Live: ONE query groups the lines of the requested months by (month, account); when balances are
    asked for, ONE more groups the older lines of the balance accounts only (512, 411…) by account,
    for the opening balance. With `use_cache` (the recompute, after ledger_cache_refresh), ONE query
    reads the (month, account) cache instead, so an incremental run reads only the months it changed;
    with `by_day` as well, only the months a span starts or ends inside are read by day (ONE more query).
    """
    from integrations.models import LedgerLine
    from kpis.models import KpiLedgerMonth

    periods = [p for ps in periods_by_grain.values() for p in ps]
    last = max(p.end for p in periods)
    first = min(
        p.start if m.aggregation == "balance" else flow_span(m, p)[0] for m in metrics for p in periods
    )
    by_account: dict[str, list[tuple[date, Decimal, Decimal]]] = defaultdict(list)
    opening_by_account: dict[str, tuple[Decimal, Decimal]] = {}
    balances = [m for m in metrics if m.aggregation == "balance"]
    partial: set[date] = set()
    if use_cache and by_day:
        # Odd spans from the cache: its whole months, and the lines by day of the months a span starts or ends
        # inside. A cached month lies wholly inside or outside every span, so each span sums the same lines.
        partial = _partial_months(metrics, periods)
        first = first.replace(day=1)
        ledger = LedgerLine.objects.for_org(org).filter(is_deleted=False)
        for day, number, d, c in _ledger_rows(ledger, months=partial, last=last, by_day=True):
            by_account[number].append((day, d, c))
    if use_cache:
        opening: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for month, number, d, c in (
            KpiLedgerMonth.objects.for_org(org)
            .filter(month__lte=last)
            .values_list("month", "account_number", "debit", "credit")
        ):
            if month in partial:
                continue
            if month >= first:
                by_account[number].append((month, d, c))
            elif balances:
                opening[number][0] += d
                opening[number][1] += c
        opening_by_account = {k: (v[0], v[1]) for k, v in opening.items()}
    else:
        ledger = LedgerLine.objects.for_org(org).filter(is_deleted=False)
        for month, number, d, c in _ledger_rows(ledger, first=first, last=last, by_day=by_day):
            by_account[number].append((month, d, c))
        if balances:
            prefixes = set()
            for m in balances:
                include = ((m.filters or {}).get("accounts") or {}).get("include") or []
                prefixes |= {str(x) for x in include} if include else {""}
            any_prefix = Q()
            for prefix in sorted(prefixes):
                any_prefix |= Q(account_number__startswith=prefix)
            for r in (
                ledger.filter(any_prefix, date__lt=first)
                .values("account_number")
                .annotate(d=Sum("debit"), c=Sum("credit"))
                .order_by()
            ):
                opening_by_account[r["account_number"]] = (
                    _dec(r["d"]) or Decimal(0),
                    _dec(r["c"]) or Decimal(0),
                )

    def matches(m, number: str) -> bool:
        accounts = (m.filters or {}).get("accounts") or {}
        include = [str(x) for x in accounts.get("include") or []]
        exclude = [str(x) for x in accounts.get("exclude") or []]
        if include and not any(number.startswith(x) for x in include):
            return False
        return not any(number.startswith(x) for x in exclude)

    for m in metrics:
        a, b = ledger_coefficients(m)
        prefix = int((m.options or {}).get("dimension_prefix") or 0) if m.dimension_field else 0
        # one series for the total, and one per account class when broken down by a prefix
        series: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        openings: dict[str, Decimal] = defaultdict(Decimal)
        for number, entries in by_account.items():
            if matches(m, number):
                for month, d, c in entries:
                    series[TOTAL][month] += a * d + b * c
                    if prefix:
                        series[number[:prefix]][month] += a * d + b * c
        if m.aggregation == "balance":
            for number, (d, c) in opening_by_account.items():
                if matches(m, number):
                    openings[TOTAL] += a * d + b * c
                    if prefix:
                        openings[number[:prefix]] += a * d + b * c
        series.setdefault(TOTAL, defaultdict(Decimal))
        for dim_value in set(series) | set(openings):
            monthly = series[dim_value]
            months = sorted(monthly)
            running = openings.get(dim_value, Decimal(0)) if m.aggregation == "balance" else Decimal(0)
            opening, cumulative = running, []
            for month in months:
                running += monthly[month]
                cumulative.append(running)
            for grain, grain_periods in periods_by_grain.items():
                for p in grain_periods:
                    if m.aggregation == "balance":
                        i = bisect.bisect_right(months, p.end)
                        value = cumulative[i - 1] if i else opening
                    else:
                        start, end = flow_span(m, p)
                        window = months[bisect.bisect_left(months, start) : bisect.bisect_right(months, end)]
                        value = sum((monthly[x] for x in window), Decimal(0))
                    if dim_value != TOTAL and value == 0:
                        continue  # keep breakdowns sparse
                    raw[(m.slug, grain, p.start)][dim_value] = value


def _percentile(values: list[Decimal], pct: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    rank = (Decimal(pct) / Decimal(100)) * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _python_metric(org, metric, periods_by_grain, raw, row_cache: dict | None = None) -> None:
    if metric.aggregation == "retained_mrr":
        _retained_mrr(org, metric, periods_by_grain, raw, row_cache)
        return
    model = model_for(metric.record_type)
    node = parse_value_expression(metric.value) if metric.value else None
    fields = value_fields(metric)
    all_periods = [p for ps in periods_by_grain.values() for p in ps]
    if not all_periods:
        return
    first = min(flow_span(metric, p)[0] for p in all_periods)
    last = max(p.end for p in all_periods)
    dim = metric.dimension_field
    cached = (row_cache or {}).get(("rows", metric.pk, metric.slug))
    if cached is not None and cached[0] <= first and cached[1] >= last:
        rows, dates = cached[2], cached[3]  # a superset of the days: the spans below pick theirs by date
    else:
        rows, dates = _python_rows(org, metric, model, node, fields, dim, first, last)
        if row_cache is not None:
            row_cache[("rows", metric.pk, metric.slug)] = (first, last, rows, dates)
    agg = metric.aggregation
    for grain, periods in periods_by_grain.items():
        for p in periods:
            start, end = flow_span(metric, p)
            chunk = rows[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)]
            buckets: dict[str, list[Decimal]] = defaultdict(list)
            for _d, dim_value, v in chunk:
                buckets[TOTAL].append(v)
                if dim:
                    buckets[dim_value].append(v)
            cell = raw[(metric.slug, grain, p.start)]
            cell.setdefault(TOTAL, None)
            if agg == "best_run":
                cell[TOTAL] = _best_run(chunk, p, int((metric.options or {}).get("run_days", 28)))
                continue
            for dim_value, vs in buckets.items():
                cell[dim_value] = _reduce(agg, vs, metric.percentile)


def _python_rows(org, metric, model, node, fields, dim, first: date, last: date):
    """The (day, dimension value, value) rows of the metric dated `first` to `last`, sorted by day, and their
    days: ONE query."""
    qs = (
        model.objects.for_org(org)
        .filter(metric_q(metric))
        .filter(day_q(model, metric.date_field, gte=first, lte=last))
    )
    columns = [metric.date_field, *([dim] if dim else []), *fields]
    localise = is_datetime(model, metric.date_field)
    tz = timezone.get_current_timezone()
    evaluate = compile_python_value(node) if node is not None else (lambda row: Decimal(1))
    rows = []
    for values in qs.values(*columns).order_by():
        d = values[metric.date_field]
        if localise:
            d = d.astimezone(tz).date()
        v = evaluate(values)
        if v is None:
            continue
        rows.append((d, _dim(values[dim]) if dim else TOTAL, v if isinstance(v, Decimal) else Decimal(v)))
    rows.sort(key=lambda r: r[0])
    return rows, [r[0] for r in rows]


def _best_run(chunk, period: Period, run_days: int) -> Decimal:
    """Highest total over `run_days` consecutive days inside the period (the whole period if shorter)."""
    daily: dict[date, Decimal] = defaultdict(Decimal)
    for d, _dim_value, v in chunk:
        daily[d] += v
    if period.days <= run_days:
        return sum(daily.values(), Decimal(0))
    best = window = sum(
        (daily.get(period.start + timedelta(days=i), Decimal(0)) for i in range(run_days)), Decimal(0)
    )
    for i in range(run_days, period.days):
        window += daily.get(period.start + timedelta(days=i), Decimal(0))
        window -= daily.get(period.start + timedelta(days=i - run_days), Decimal(0))
        best = max(best, window)
    return best


def _reduce(agg: str, vs: list[Decimal], pct) -> Decimal | None:
    if not vs:
        return None
    if agg == "sum":
        return sum(vs, Decimal(0))
    if agg == "count":
        return Decimal(len(vs))
    if agg == "distinct_count":
        return Decimal(len(set(vs)))
    if agg == "avg":
        return sum(vs, Decimal(0)) / len(vs)
    if agg == "min":
        return min(vs)
    if agg == "max":
        return max(vs)
    if agg == "percentile":
        return _percentile(vs, pct if pct is not None else Decimal(50))
    return None


def _retained_mrr(org, metric, periods_by_grain, raw, row_cache: dict | None = None) -> None:
    """MRR at period end of the customers who had MRR the day before the period started.

    net: their whole end MRR (expansion counted); gross: each customer capped at its start MRR;
    start_customers: how many they are; lost_customers: how many of them have no MRR left at period end.
    """
    model = model_for(metric.record_type)
    mode = (metric.options or {}).get("mode", "net")
    group_field = (metric.options or {}).get("group_field", "customer_id")
    key = ("retained", metric.pk, metric.slug)
    rows = (row_cache or {}).get(key)  # every row, whatever the periods: a later call reads none again
    if rows is None:
        rows = list(
            model.objects.for_org(org)
            .filter(metric_q(metric))
            .values_list(
                group_field, metric.value or "mrr", metric.date_field, metric.end_field or metric.date_field
            )
            .order_by()
        )
        if row_cache is not None:
            row_cache[key] = rows
    has_end = bool(metric.end_field)

    def mrr_on(day: date) -> dict:
        out: dict = defaultdict(Decimal)
        for who, mrr, started, ended in rows:
            if started <= day and (not has_end or ended is None or ended > day):
                out[who] += Decimal(mrr)
        return out

    from datetime import timedelta

    for grain, periods in periods_by_grain.items():
        for p in periods:
            start = mrr_on(p.start - timedelta(days=1))
            end = mrr_on(p.end)
            total = Decimal(0)
            for who, start_mrr in start.items():
                if start_mrr <= 0:
                    continue
                end_mrr = end.get(who, Decimal(0))
                if mode == "start_customers":
                    total += 1
                elif mode == "lost_customers":
                    total += 1 if end_mrr <= 0 else 0
                else:
                    total += min(end_mrr, start_mrr) if mode == "gross" else end_mrr
            raw[(metric.slug, grain, p.start)][TOTAL] = total


__all__ = ["TOTAL", "Coverage", "MetricResults", "compute_metrics", "load_coverage", "snapshot_day"]
