"""Writes of the KPI engine. Other apps hand changes to the engine only through this module."""

from __future__ import annotations

import functools
import gc
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.capabilities import ALL_CAPABILITIES
from accounts.models import Membership, Organization
from kpis.engine.compute import ComputedValue, Graph, evaluate_period
from kpis.engine.formula import (
    IDENTIFIER,
    RESERVED,
    FormulaError,
    find_cycle,
    parse,
    parse_value_expression,
    references,
)
from kpis.engine.metrics import (
    Coverage,
    compute_metrics,
    coverage_key,
    ledger_cache_refresh,
    ledger_coefficients,
    load_coverage,
)
from kpis.engine.records import (
    COVERAGE_FIELD,
    FLOW_AGGREGATIONS,
    RECORD_MODELS,
    SNAPSHOT_AGGREGATIONS,
    field_of,
    model_for,
    needs_python,
)
from kpis.events import kpi_values_recomputed_announce
from kpis.models import Kpi, KpiAnnotation, KpiPendingChange, KpiTarget, KpiValue, Metric
from kpis.periods import GRAINS, Period, add_months, period_containing, periods_between
from kpis.presence import data_presence_refresh

log = logging.getLogger(__name__)

# How far back a recompute goes when a tenant has little or no data: the UI always has a year to show.
MIN_HISTORY_MONTHS = getattr(settings, "KPIS_MIN_HISTORY_MONTHS", 12)


# --- recompute -------------------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    kpis: int = 0
    periods: dict[str, int] = field(default_factory=dict)  # grain → number of periods touched
    written: int = 0  # values inserted or updated (a value found unchanged is not written)
    deleted: int = 0  # stored values of the recomputed slices that the recompute no longer produced
    seconds: float = 0.0
    # (kpi slug, grain, period start) of every value recomputed (written or found unchanged): what a run touched.
    touched: set[tuple[str, str, date]] = field(default_factory=set)
    forecasts: int = 0  # forecasts computed (open periods of the KPIs recomputed), written where they changed


def _range_start(coverage, today: date) -> date:
    firsts = [c.first for c in coverage.values() if c.first is not None]
    floor = add_months(today, -(MIN_HISTORY_MONTHS - 1))
    return min([*firsts, floor])


def _affected_periods(
    metric: Metric, days: set[date], periods: list[Period], first_record: date | None
) -> set[date]:
    """Starts of the periods whose value of this metric a change on these days can alter.

    When the change touches the earliest record of its type (`first_record`, after the change), the
    tenant's coverage may have moved, which changes "no data before …" in every period: all of them.
    """
    if not days:
        return set()
    if first_record is None or min(days) <= first_record:
        return {p.start for p in periods}
    primary = COVERAGE_FIELD.get(metric.record_type) == metric.date_field
    if metric.aggregation in FLOW_AGGREGATIONS and not metric.window_months and primary:
        return {p.start for p in periods if any(p.start <= d <= p.end for d in days)}
    if metric.window_months:
        return {
            p.start
            for p in periods
            if any(add_months(p.end, -(metric.window_months - 1)) <= d <= p.end for d in days)
        }
    # Balances, snapshots and retained MRR: a record dated d counts in every period ending on or after d.
    # A flow placed in time by a secondary date (an order's shipped_at, a deal's close_date) may move
    # later than the day the sync reported (placed_at, created_on): every later period, to be safe.
    first = min(days)
    return {p.start for p in periods if p.end >= first}


def _cyclic_gc_paused(fn):
    """Run `fn` with Python's cycle collector paused (reference counting still frees every object as usual).

    A recompute makes about a million short-lived objects (rows, Decimals, tuples, Django expressions): the
    collector ran its passes over the whole Django heap hundreds of times a run, 15–30 % of a full recompute.
    The garbage a run leaves in cycles is collected once it ends. Paused already (a nested call): left so."""

    @functools.wraps(fn)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_cyclic_gc_paused
@transaction.atomic
def kpi_values_recompute(
    *,
    org: Organization,
    changes: dict[str, set[date]] | None = None,
    kpi_slugs: set[str] | None = None,
    today: date | None = None,
    include_dependents: bool = True,
) -> RecomputeReport:
    """Recompute and materialise KPI values.

    - no arguments: full recompute of every active KPI, every grain, from the first record to today;
    - `changes` ({record type: days}): only the periods containing those days (and, for balances and
      snapshots, the later periods they roll into), only for KPIs that depend on those record types;
    - `kpi_slugs`: every period of these KPIs and (unless include_dependents=False) of the KPIs that
      read them (after an edit).
    Idempotent: it recomputes whole (KPI, grain, period) slices and writes only what differs from the
    stored values (`_write`), so running it twice writes nothing the second time.
    Queries: a fixed number per record type and grain, plus the upsert batches of the rows written.
    """
    started = time.monotonic()
    _lock(org)
    # Before any early return: a sync that only deleted records changes what pages say would feed a KPI.
    data_presence_refresh(org)
    today = today or timezone.localdate()
    fy = org.fiscal_year_start_month
    metrics = list(Metric.objects.for_org(org))
    # Inactive KPIs are not materialised, but active ones may still read them.
    kpis = list(Kpi.objects.for_org(org))
    active = {k.slug for k in kpis if k.is_active}
    graph = Graph.build(kpis, metrics)
    report = RecomputeReport()
    if not active:
        return report

    used_metrics = {m for s in active for m in graph.leaf_metrics(s)}
    coverage = load_coverage(org, [graph.metrics[m] for m in used_metrics])
    start = _range_start(coverage, today)
    all_periods = {g: periods_between(start, today, g, fy) for g in GRAINS}

    # What to rewrite: {kpi slug: {grain: {period starts}}}
    plan: dict[str, dict[str, set[date]]] = {}
    if changes is None and kpi_slugs is None:
        for s in active:
            plan[s] = {g: {p.start for p in ps} for g, ps in all_periods.items()}
    elif kpi_slugs is not None:
        wanted = set(kpi_slugs) | (graph.dependents(set(kpi_slugs)) if include_dependents else set())
        for s in wanted:
            if s in active:
                plan[s] = {g: {p.start for p in ps} for g, ps in all_periods.items()}
    else:
        changed = {rt: set(days) for rt, days in changes.items() if days}
        per_metric: dict[str, dict[str, set[date]]] = {}
        for m in used_metrics:
            metric = graph.metrics[m]
            read = [rt for rt in metric_record_types(metric) if rt in changed]
            if read:
                days = set().union(*(changed[rt] for rt in read))
                first_record = (coverage.get(coverage_key(metric)) or Coverage(None, "")).first
                per_metric[m] = {
                    g: _affected_periods(metric, days, ps, first_record) for g, ps in all_periods.items()
                }
        # Periods the range reaches for the first time (older data arrived, or a new month began): every KPI.
        materialised = {
            grain: (first, last)
            for grain, first, last in KpiValue.objects.for_org(org)
            .values("grain")
            .annotate(first=Min("period_start"), last=Max("period_start"))
            .values_list("grain", "first", "last")
        }
        for s in active:
            leaves = [m for m in graph.leaf_metrics(s) if m in per_metric]
            plan[s] = {
                g: set().union(*(per_metric[m][g] for m in leaves))
                | {
                    p.start
                    for p in all_periods[g]
                    if g not in materialised or not materialised[g][0] <= p.start <= materialised[g][1]
                }
                for g in GRAINS
            }

    plan = {s: grains for s, grains in plan.items() if any(grains.values())}
    if not plan:
        report.seconds = time.monotonic() - started
        return report

    periods_by_grain = {
        g: [p for p in all_periods[g] if any(p.start in plan[s].get(g, ()) for s in plan)] for g in GRAINS
    }
    needed_metrics = {m for s in plan for m in graph.leaf_metrics(s)}
    metric_rows = [graph.metrics[m] for m in needed_metrics]
    use_cache = any(ledger_coefficients(m) is not None for m in metric_rows)
    if use_cache:
        # The (month, account) cache of the ledger: rebuilt by a full run, refreshed month by month otherwise.
        touched_months = None
        if changes is not None and kpi_slugs is None:
            touched_months = {d.replace(day=1) for d in changes.get("ledgerline", ())}
        ledger_cache_refresh(org, months=touched_months)
    row_cache: dict = {}  # the rows the Python metrics read, for the forecasts below
    results = compute_metrics(
        org,
        metrics=metric_rows,
        periods_by_grain=periods_by_grain,
        coverage=coverage,
        use_ledger_cache=use_cache,
        row_cache=row_cache,
    )
    targets = _targets(org)

    computed: list[ComputedValue] = []
    for g, periods in periods_by_grain.items():
        for p in periods:
            slugs = {s for s in plan if p.start in plan[s].get(g, ())}
            computed += evaluate_period(graph, results, grain=g, period=p, slugs=slugs, targets=targets)

    report.deleted, report.written = _write(org, graph, plan, computed)
    # A full run has every month of every metric in hand: the forecasts read their closed months from it.
    full = changes is None and kpi_slugs is None
    report.forecasts = _forecasts_write(org, graph, set(plan), today=today, targets=targets, coverage=coverage,
                                        month_results=results if full else None, row_cache=row_cache,
                                        ledger_cache=use_cache)
    report.kpis = len(plan)
    report.periods = {g: len(ps) for g, ps in periods_by_grain.items()}
    report.touched = {(c.kpi_slug, c.grain, c.period.start) for c in computed}
    report.seconds = time.monotonic() - started
    kpi_values_recomputed_announce(org=org, kpi_slugs=set(plan))
    return report


def _lock(org: Organization) -> None:
    """One recompute per organization at a time (PostgreSQL advisory lock, released at commit), so two
    tasks that overlap never interleave their reads and writes of the same slices."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4, org.pk])


def _targets(org: Organization) -> dict[tuple[str, str, date], Decimal]:
    return {
        (slug, grain, start): value
        for slug, grain, start, value in KpiTarget.objects.for_org(org).values_list(
            "kpi__slug", "grain", "period_start", "value"
        )
    }


VALUE_KEY = ["organization", "kpi", "grain", "period_start", "dimension_value"]
VALUE_FIELDS = ["period_end", "value", "no_value_reason", "inputs"]
FORECAST_KEY = ["organization", "kpi", "grain", "period_start"]
FORECAST_FIELDS = ["period_end", "value", "method", "elapsed", "to_date", "previous_same_days",
                   "last_year_same_days", "last_year", "basis", "as_of"]
DELETE_BATCH = 2000


def _upsert(model, rows: list, *, key: list[str], fields: list[str]) -> None:
    """Insert the new rows and update the changed ones in the same statements: INSERT … ON CONFLICT (key)
    DO UPDATE on PostgreSQL and SQLite, in batches of 2,000 rows."""
    if rows:
        model.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=key,
                                  update_fields=[*fields, "computed_at"])


def _delete(model, org: Organization, pks: list[int]) -> int:
    for i in range(0, len(pks), DELETE_BATCH):
        model.objects.for_org(org).filter(pk__in=pks[i:i + DELETE_BATCH]).delete()
    return len(pks)


def _write(org: Organization, graph: Graph, plan: dict, computed: list[ComputedValue]) -> tuple[int, int]:
    """Write what changed in the planned (KPI, grain, period) slices; returns (deleted, written).

    The stored values of the slices are read as tuples (one SELECT); a computed value whose period end,
    value, reason and inputs equal the stored ones is not written (its `computed_at` stays the time it last
    changed, so a recompute that changes nothing leaves the dashboards' `?since=` stamp alone); the new and
    the changed are upserted, and the stored values the recompute no longer produces (a dimension value
    gone, a KPI that now computes fewer) are deleted. All inside the recompute's transaction."""
    by_slices: dict[tuple[str, frozenset], list[int]] = defaultdict(list)
    for s, grains in plan.items():
        for g, starts in grains.items():
            if starts:
                by_slices[(g, frozenset(starts))].append(graph.kpis[s].pk)
    stored: dict[tuple, tuple] = {}
    if by_slices:
        slices = Q()
        for (g, starts), kpi_ids in by_slices.items():
            slices |= Q(grain=g, kpi_id__in=kpi_ids, period_start__in=sorted(starts))
        for pk, kpi_id, grain, start, dim, *figures in KpiValue.objects.for_org(org).filter(slices).values_list(
                "pk", "kpi_id", "grain", "period_start", "dimension_value", *VALUE_FIELDS):
            stored[(kpi_id, grain, start, dim)] = (pk, tuple(figures))
    now = timezone.now()
    rows = []
    for c in computed:
        kpi_id = graph.kpis[c.kpi_slug].pk
        figures = (c.period.end, c.value, c.reason if c.value is None else "", c.inputs)
        before = stored.pop((kpi_id, c.grain, c.period.start, c.dimension_value), None)
        if before is not None and before[1] == figures:
            continue
        rows.append(KpiValue(organization=org, kpi_id=kpi_id, grain=c.grain, period_start=c.period.start,
                             dimension_value=c.dimension_value, computed_at=now,
                             **dict(zip(VALUE_FIELDS, figures, strict=True))))
    deleted = _delete(KpiValue, org, sorted(pk for pk, _figures in stored.values()))
    _upsert(KpiValue, rows, key=VALUE_KEY, fields=VALUE_FIELDS)
    return deleted, len(rows)


def _as_stored(v, places: int = 6):
    """A figure as its DecimalField keeps it (so that comparing with the stored one means something)."""
    if isinstance(v, Decimal):
        try:
            return v.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            return v
    return v


def _forecasts_write(org: Organization, graph: Graph, slugs: set[str], *, today: date, targets: dict,
                     coverage=None, month_results=None, row_cache=None, ledger_cache: bool = False) -> int:
    """Write the forecasts of these KPIs for today (kpis/engine/forecast.py) where they changed, as values
    are (`_write`): read as tuples, upsert the new and changed, delete those no longer produced. Returns the
    number of forecasts computed. `coverage`, `month_results`, `row_cache`: what the recompute already has
    (forecasts_compute); `ledger_cache`: the ledger cache is up to date."""
    from kpis.engine.forecast import forecasts_compute
    from kpis.models import KpiForecast

    slugs = {s for s in slugs if s in graph.kpis and graph.kpis[s].is_active}
    if not slugs:
        return 0
    computed = forecasts_compute(org, graph=graph, slugs=slugs, today=today, targets=targets, coverage=coverage,
                                 month_results=month_results, row_cache=row_cache, ledger_cache=ledger_cache)
    stored = {
        (kpi_id, grain, start): (pk, tuple(figures))
        for pk, kpi_id, grain, start, *figures in KpiForecast.objects.for_org(org)
        .filter(kpi_id__in=[graph.kpis[s].pk for s in slugs])
        .values_list("pk", "kpi_id", "grain", "period_start", *FORECAST_FIELDS)
    }
    now = timezone.now()
    rows = []
    for f in computed:
        kpi_id = graph.kpis[f.kpi_slug].pk
        figures = (f.period.end, _as_stored(f.value), f.method, _as_stored(f.elapsed, 4), _as_stored(f.to_date),
                   _as_stored(f.previous_same_days), _as_stored(f.last_year_same_days), _as_stored(f.last_year),
                   json.loads(json.dumps(f.basis)), today)
        before = stored.pop((kpi_id, f.period.grain, f.period.start), None)
        if before is not None and before[1] == figures:
            continue
        rows.append(KpiForecast(organization=org, kpi_id=kpi_id, grain=f.period.grain, period_start=f.period.start,
                                computed_at=now, **dict(zip(FORECAST_FIELDS, figures, strict=True))))
    _delete(KpiForecast, org, sorted(pk for pk, _figures in stored.values()))
    _upsert(KpiForecast, rows, key=FORECAST_KEY, fields=FORECAST_FIELDS)
    return len(computed)


@transaction.atomic
def kpi_forecasts_refresh(*, org: Organization, today: date | None = None, only_if_stale: bool = False) -> int:
    """Recompute the forecasts of every active KPI for `today` (the elapsed share moves every day; the
    daily beat runs this for each organization, `only_if_stale`: when its forecasts were made on an earlier
    day). Values are untouched. Returns the number of forecasts written."""
    today = today or timezone.localdate()
    from kpis.models import KpiForecast

    if only_if_stale and not KpiForecast.objects.for_org(org).filter(as_of__lt=today).exists():
        return 0
    _lock(org)
    graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))
    return _forecasts_write(org, graph, set(graph.kpis), today=today, targets=_targets(org))


def _changes_key(org_id: int) -> str:
    return f"kpis:recompute:scheduled:{org_id}"


def metric_record_types(metric: Metric) -> tuple[str, ...]:
    """The record types whose changes can move this metric (an invoice's payments settle it)."""
    if (metric.options or {}).get("less_payments"):
        return (metric.record_type, "payment")
    return (metric.record_type,)


def _recompute_schedule(org: Organization) -> None:
    """One debounced recompute per burst of changes, sent after the commit."""
    delay = settings.KPIS_RECOMPUTE_DEBOUNCE_SECONDS
    if cache.add(_changes_key(org.pk), "1", timeout=delay + 5):
        org_id = org.pk
        transaction.on_commit(lambda: _recompute_send(org_id=org_id, delay=delay))


def _recompute_send(*, org_id: int, delay: int) -> None:
    """Send the debounced recompute; with the task queue down, the changes wait in KpiPendingChange and the
    next change (the sync's next page, once Redis is back) schedules them, instead of failing the caller."""
    from kombu.exceptions import OperationalError

    from kpis.tasks import kpi_values_recompute_pending_task

    try:
        kpi_values_recompute_pending_task.apply_async(args=[org_id], countdown=delay)
    except OperationalError as exc:
        log.warning("kpis recompute of org %s not scheduled: the task queue is unavailable (%s)", org_id, exc)
        cache.delete(_changes_key(org_id))


def kpi_values_recompute_enqueue(*, org: Organization, changes: dict[str, set[date]]) -> None:
    """Ask for a recompute of the periods containing these dates, for KPIs that read these record types.

    `changes` maps a canonical model name ("invoice", "ledgerline", "deal", …) to the dates
    (each record's date field) that a sync or import created, updated or deleted. Debounced per
    organization; call it after the commit (transaction.on_commit).

    The days are stored as KpiPendingChange rows (a burst of syncs merges into them); the first call
    of a burst sets a cache key that lives for KPIS_RECOMPUTE_DEBOUNCE_SECONDS and schedules one
    task with that countdown on the `kpis` queue; later calls only add their days.
    """
    rows = [
        KpiPendingChange(organization=org, record_type=rt, day=d)
        for rt, days in changes.items()
        if rt in RECORD_MODELS
        for d in days
        if d is not None
    ]
    if not rows:
        return
    KpiPendingChange.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    _recompute_schedule(org)


def kpi_values_recompute_pending(*, org: Organization, today: date | None = None) -> RecomputeReport | None:
    """Process the pending changes of one organization (what the debounced task runs).

    The debounce key is cleared first, so a change stored after this point schedules a new task;
    only the rows read here are deleted, so nothing is lost and a second run finds nothing to do.
    """
    cache.delete(_changes_key(org.pk))
    pending = list(KpiPendingChange.objects.for_org(org).values_list("pk", "record_type", "day"))
    if not pending:
        return None
    changes: dict[str, set[date]] = defaultdict(set)
    for _pk, rt, d in pending:
        changes[rt].add(d)
    with transaction.atomic():
        report = kpi_values_recompute(org=org, changes=dict(changes), today=today)
        KpiPendingChange.objects.for_org(org).filter(pk__in=[pk for pk, _rt, _d in pending]).delete()
    log.info(
        "kpis recompute org=%s kpis=%s written=%s in %.3fs",
        org.slug,
        report.kpis,
        report.written,
        report.seconds,
    )
    return report


# --- validation --------------------------------------------------------------------------------------


def kpi_formula_check(org: Organization, *, formula: str, kpi_slug: str | None = None) -> list[str]:
    """Parse a formula and check its references and cycles; returns the slugs it reads.

    Raises FormulaError (with the position) for a syntax error or an unknown reference, and for a
    cycle with the cycle named ("Circular reference: a → b → a").
    """
    node = parse(formula)
    metric_slugs = set(Metric.objects.for_org(org).values_list("slug", flat=True))
    kpi_formulas = dict(Kpi.objects.for_org(org).values_list("slug", "formula"))
    known = metric_slugs | set(kpi_formulas) | ({kpi_slug} if kpi_slug else set())
    from kpis.engine.formula import reference_positions, target_references

    for name, pos in reference_positions(node):
        if name not in known:
            raise FormulaError(f"Unknown metric or KPI {name!r}", pos, formula)
    for name in target_references(node):
        if name not in kpi_formulas and name != kpi_slug:
            raise FormulaError(f"target() of unknown KPI {name!r}", None, formula)
    if kpi_slug:
        graph: dict[str, set[str]] = {}
        for slug, text in kpi_formulas.items():
            try:
                graph[slug] = references(parse(text)) & set(kpi_formulas)
            except FormulaError:
                graph[slug] = set()
        graph[kpi_slug] = references(node) & (set(kpi_formulas) | {kpi_slug})
        cycle = find_cycle(graph)
        if cycle and kpi_slug in cycle:
            raise FormulaError(f"Circular reference: {' → '.join(cycle)}", None, formula)
    return sorted(references(node))


def _check_slug(slug: str, org: Organization, *, kind: str, exclude_pk: int | None = None) -> None:
    if not IDENTIFIER.match(slug or "") or slug in RESERVED:
        raise ValidationError({"slug": "Use letters, digits and underscores, starting with a letter."})
    clash_metric = Metric.objects.for_org(org).filter(slug=slug)
    clash_kpi = Kpi.objects.for_org(org).filter(slug=slug)
    if kind == "metric" and exclude_pk:
        clash_metric = clash_metric.exclude(pk=exclude_pk)
    if kind == "kpi" and exclude_pk:
        clash_kpi = clash_kpi.exclude(pk=exclude_pk)
    if clash_metric.exists() or clash_kpi.exists():
        raise ValidationError({"slug": f"“{slug}” is already the name of a metric or KPI."})


def _validation_error(field_name: str, error: FormulaError) -> ValidationError:
    return ValidationError({field_name: str(error)})


# --- KPIs ------------------------------------------------------------------------------------------

KPI_FIELDS = (
    "name",
    "description",
    "formula",
    "unit",
    "direction",
    "category",
    "owner_role",
    "visibility_capability",
    "dimension_label",
    "sort_order",
    "is_active",
)


@transaction.atomic
def kpi_create(
    *,
    org: Organization,
    by: Membership | None,
    slug: str,
    name: str,
    formula: str,
    recompute: bool = True,
    **fields,
) -> Kpi:
    """Create a custom KPI after checking its slug, formula, references and cycles; then compute it."""
    _check_slug(slug, org, kind="kpi")
    try:
        kpi_formula_check(org, formula=formula, kpi_slug=slug)
    except FormulaError as e:
        raise _validation_error("formula", e) from e
    _check_capability(fields.get("visibility_capability", "kpis.view"))
    _check_visibility_not_wider_than_inputs(org, slug=slug, formula=formula,
                                            cap=fields.get("visibility_capability", "kpis.view"))
    unknown = set(fields) - set(KPI_FIELDS) - {"is_builtin"}
    if unknown:
        raise TypeError(f"Unknown KPI fields: {sorted(unknown)}")
    kpi = Kpi.objects.create(organization=org, slug=slug, name=name, formula=formula, **fields)
    if by is not None:
        audit_log_record(org=org, actor=by.user, action="kpi.created", target=kpi, data={"formula": formula})
    if recompute:
        transaction.on_commit(lambda: kpi_values_recompute(org=org, kpi_slugs={kpi.slug}))
    return kpi


@transaction.atomic
def kpi_update(*, kpi: Kpi, by: Membership | None, recompute: bool = True, **changes) -> Kpi:
    """Edit a KPI (built-in ones too: the catalogue is editable per tenant); recompute it and its dependents."""
    org = kpi.organization
    unknown = set(changes) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"Unknown KPI fields: {sorted(unknown)}")
    if "formula" in changes:
        try:
            kpi_formula_check(org, formula=changes["formula"], kpi_slug=kpi.slug)
        except FormulaError as e:
            raise _validation_error("formula", e) from e
    if "visibility_capability" in changes:
        _check_capability(changes["visibility_capability"])
    if {"formula", "visibility_capability"} & set(changes):
        _check_visibility_not_wider_than_inputs(
            org, slug=kpi.slug, formula=changes.get("formula", kpi.formula),
            cap=changes.get("visibility_capability", kpi.visibility_capability))
    before = {k: getattr(kpi, k) for k in changes}
    for k, v in changes.items():
        setattr(kpi, k, v)
    kpi.save(update_fields=[*changes, "updated_at"])
    if by is not None:
        audit_log_record(
            org=org,
            actor=by.user,
            action="kpi.updated",
            target=kpi,
            data={
                "before": {k: str(v) for k, v in before.items()},
                "after": {k: str(v) for k, v in changes.items()},
            },
        )
    if recompute and ({"formula", "is_active"} & set(changes)):
        slug = kpi.slug
        transaction.on_commit(lambda: kpi_values_recompute(org=org, kpi_slugs={slug}))
    return kpi


@transaction.atomic
def kpi_delete(*, kpi: Kpi, by: Membership | None) -> None:
    """Delete a custom KPI with its values, targets and notes; refused while another formula reads it.

    Built-in KPIs are deactivated instead (is_active=False) so the catalogue can bring them back.
    """
    org = kpi.organization
    if kpi.is_builtin:
        raise ValidationError("A built-in KPI cannot be deleted; deactivate it instead.")
    readers = sorted(_readers_of(org, kpi.slug))
    if readers:
        raise ValidationError(f"“{kpi.slug}” is read by {', '.join(readers)}: change those formulas first.")
    if by is not None:
        audit_log_record(
            org=org, actor=by.user, action="kpi.deleted", target=kpi, data={"formula": kpi.formula}
        )
    kpi.delete()


@transaction.atomic
def metric_delete(*, metric: Metric, by: Membership | None) -> None:
    """Delete a custom metric; refused while a KPI formula reads it."""
    org = metric.organization
    if metric.is_builtin:
        raise ValidationError("A built-in metric cannot be deleted.")
    readers = sorted(_readers_of(org, metric.slug))
    if readers:
        raise ValidationError(
            f"“{metric.slug}” is read by {', '.join(readers)}: change those formulas first."
        )
    if by is not None:
        audit_log_record(org=org, actor=by.user, action="metric.deleted", target=metric)
    metric.delete()


def _readers_of(org: Organization, slug: str) -> set[str]:
    """KPIs (active or not) whose formula reads `slug` directly, or through target()."""
    from kpis.engine.formula import target_references

    out = set()
    for other, text in Kpi.objects.for_org(org).exclude(slug=slug).values_list("slug", "formula"):
        try:
            node = parse(text)
        except FormulaError:
            continue
        if slug in references(node) or slug in target_references(node):
            out.add(other)
    return out


def _check_capability(cap: str) -> None:
    if cap not in ALL_CAPABILITIES:
        raise ValidationError({"visibility_capability": f"Unknown capability “{cap}”."})


def _check_visibility_not_wider_than_inputs(org: Organization, *, slug: str, formula: str, cap: str) -> None:
    """A KPI may not be shown to a role that may not see what its formula reads (kpis/visibility.py)."""
    from kpis.selectors import kpi_visibility_for
    from kpis.visibility import formula_inputs, is_wider

    needed = kpi_visibility_for(org, exclude_kpi=slug).required_by(formula_inputs(formula))
    if is_wider(cap, needed):
        raise ValidationError({"visibility_capability": _(
            "This formula reads figures that some of the roles this KPI would be visible to may not see "
            "(cost and margin detail, for instance): restrict its visibility to the roles that see them.")})


# --- metrics ---------------------------------------------------------------------------------------

METRIC_FIELDS = (
    "name",
    "description",
    "record_type",
    "aggregation",
    "value",
    "distinct_field",
    "percentile",
    "filters",
    "date_field",
    "end_field",
    "snapshot_at",
    "window_months",
    "dimension_field",
    "options",
)


def metric_validate(metric: Metric) -> None:
    """Check a metric's fields against its record type's model (raises ValidationError)."""
    try:
        model = model_for(metric.record_type)
        field_of(model, metric.date_field)
        for name in (metric.end_field, metric.dimension_field, metric.distinct_field):
            if name:
                field_of(model, name)
        if metric.value:
            for ref in references(parse_value_expression(metric.value)):
                field_of(model, ref)
        elif metric.aggregation not in (
            "count",
            "snapshot_count",
            "distinct_count",
            "snapshot_distinct_count",
        ):
            raise ValidationError({"value": "This aggregation needs a value."})
        if metric.aggregation == "percentile" and metric.percentile is None:
            raise ValidationError({"percentile": "Give the percentile (e.g. 90)."})
        if (metric.options or {}).get("dimension_prefix") and (
            not metric.dimension_field
            or metric.aggregation not in ("sum", "count", "balance")
            or metric.window_months
        ):
            raise ValidationError(
                {"options": "A dimension prefix needs a dimension and a plain sum or count."}
            )
        if (metric.options or {}).get("less_payments") and (
            metric.record_type != "invoice" or metric.aggregation != "snapshot_sum"
        ):
            raise ValidationError(
                {"options": "Only an open-invoices sum (snapshot_sum of invoices) takes off payments."}
            )
        if metric.aggregation in SNAPSHOT_AGGREGATIONS and metric.window_months:
            raise ValidationError({"window_months": "A snapshot has no trailing window."})
        if needs_python(metric) and metric.aggregation in SNAPSHOT_AGGREGATIONS | {"balance"}:
            raise ValidationError({"value": "Durations only work with flow aggregations."})
        str(model.objects.filter(_q_of(metric)).query)  # compiles (never runs): the lookups must exist
    except FormulaError as e:
        raise ValidationError({"value": str(e)}) from e
    except ValidationError:
        raise
    except Exception as e:  # FieldError from a bad lookup in `filters`
        raise ValidationError({"filters": str(e)}) from e


def _q_of(metric: Metric):
    from kpis.engine.records import metric_q

    return metric_q(metric)


@transaction.atomic
def metric_create(*, org: Organization, by: Membership | None, slug: str, **fields) -> Metric:
    _check_slug(slug, org, kind="metric")
    metric = Metric(organization=org, slug=slug, **fields)
    metric_validate(metric)
    metric.save()
    if by is not None:
        audit_log_record(org=org, actor=by.user, action="metric.created", target=metric)
    return metric


@transaction.atomic
def metric_update(*, metric: Metric, by: Membership | None, recompute: bool = True, **changes) -> Metric:
    unknown = set(changes) - set(METRIC_FIELDS)
    if unknown:
        raise TypeError(f"Unknown metric fields: {sorted(unknown)}")
    for k, v in changes.items():
        setattr(metric, k, v)
    metric_validate(metric)
    metric.save(update_fields=list(changes))
    org = metric.organization
    if by is not None:
        audit_log_record(
            org=org,
            actor=by.user,
            action="metric.updated",
            target=metric,
            data={k: str(v) for k, v in changes.items()},
        )
    if recompute:
        slug = metric.slug
        transaction.on_commit(lambda: kpi_values_recompute(org=org, kpi_slugs=_kpis_reading(org, slug)))
    return metric


def _kpis_reading(org: Organization, metric_slug: str) -> set[str]:
    graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))
    return graph.dependents({metric_slug})


# --- targets and annotations -----------------------------------------------------------------------


@transaction.atomic
def kpi_target_set(
    *,
    kpi: Kpi,
    by: Membership | None,
    grain: str,
    period_start: date,
    value: Decimal | None,
    at_risk_threshold: Decimal | None = None,
) -> KpiTarget | None:
    """Set (or with value=None remove) the KPI's target for one period; KPIs reading target() are recomputed."""
    org = kpi.organization
    period = period_containing(period_start, grain, org.fiscal_year_start_month)
    qs = KpiTarget.objects.for_org(org).filter(kpi=kpi, grain=grain, period_start=period.start)
    if value is None:
        qs.delete()
        target = None
    else:
        defaults = {"value": Decimal(value)}
        if at_risk_threshold is not None:
            if not (Decimal(0) <= Decimal(at_risk_threshold) <= Decimal(1)):
                raise ValidationError({"at_risk_threshold": "Give a fraction between 0 and 1 (0.10 = 10 %)."})
            defaults["at_risk_threshold"] = Decimal(at_risk_threshold)
        target, _ = KpiTarget.objects.update_or_create(
            organization=org, kpi=kpi, grain=grain, period_start=period.start, defaults=defaults
        )
    if by is not None:
        audit_log_record(
            org=org,
            actor=by.user,
            action="kpi.target_set",
            target=kpi,
            data={"grain": grain, "period_start": period.start.isoformat(), "value": str(value)},
        )
    readers = _kpis_reading_target(org, kpi.slug)
    if readers:
        transaction.on_commit(lambda: kpi_values_recompute(org=org, kpi_slugs=readers))
    return target


def _kpis_reading_target(org: Organization, slug: str) -> set[str]:
    from kpis.engine.formula import target_references

    out = set()
    for s, text in Kpi.objects.for_org(org).values_list("slug", "formula"):
        try:
            if slug in target_references(parse(text)):
                out.add(s)
        except FormulaError:
            continue
    return out


@transaction.atomic
def kpi_annotation_create(
    *, kpi: Kpi, by: Membership, period_start: date, text: str, grain: str = "month"
) -> KpiAnnotation:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write a note."})
    note = KpiAnnotation.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        grain=grain,
        period_start=period_start,
        author=by.user,
        text=text[:2000],
    )
    audit_log_record(org=kpi.organization, actor=by.user, action="kpi.annotated", target=kpi)
    return note


# --- the catalogue -----------------------------------------------------------------------------------


@transaction.atomic
def catalogue_install(org: Organization, *, overwrite: bool = False) -> tuple[int, int]:
    """Install the built-in metrics and KPIs (kpis/catalogue/) in a tenant; returns (metrics, KPIs) created.

    Idempotent, and how a new catalogue version reaches existing tenants (`manage.py kpis_catalogue_update`):
    slugs the tenant already has are kept as it edited them, unless `overwrite` restores the built-in
    definition. Every KPI is installed; those outside the company's packs (`org.packs`) arrive inactive,
    so a shop never sees subscription KPIs and changing packs later only switches them on.
    """
    from kpis.catalogue import in_packs, kpi_fields, load_catalogue

    cat = load_catalogue()
    packs = list(org.packs or [])
    existing_metrics = {m.slug: m for m in Metric.objects.for_org(org)}
    existing_kpis = {k.slug: k for k in Kpi.objects.for_org(org)}
    new_metrics, new_kpis = [], []
    for spec in cat.metrics:
        if spec["slug"] in existing_metrics:
            if overwrite:
                m = existing_metrics[spec["slug"]]
                for k, v in spec.items():
                    setattr(m, k, v)
                m.save()
            continue
        new_metrics.append(Metric(organization=org, is_builtin=True, **spec))
    for spec in cat.kpis:
        fields = kpi_fields(spec)
        if spec["slug"] in existing_kpis:
            if overwrite:
                k = existing_kpis[spec["slug"]]
                for key, v in fields.items():
                    setattr(k, key, v)
                k.save()
            continue
        new_kpis.append(Kpi(organization=org, is_builtin=True, is_active=in_packs(spec, packs), **fields))
    Metric.objects.bulk_create(new_metrics)
    Kpi.objects.bulk_create(new_kpis)
    return len(new_metrics), len(new_kpis)


@transaction.atomic
def catalogue_packs_change(*, org: Organization, packs: list[str], by: Membership | None) -> tuple[int, int]:
    """Change the company's trade packs: the added packs' built-in KPIs are switched on, those only in the
    removed packs switched off (never deleted, never redefined; a custom KPI is never touched). Returns
    (KPIs switched on, KPIs switched off)."""
    from accounts.services import organization_packs_set
    from kpis.catalogue import in_packs, load_catalogue

    before = list(org.packs or [])
    added, removed = organization_packs_set(org=org, packs=packs, by=by.user if by else None)
    catalogue_install(org)
    specs = {k["slug"]: k for k in load_catalogue().kpis}
    builtin = Kpi.objects.for_org(org).filter(is_builtin=True, slug__in=specs)
    # A KPI already in a chosen pack and switched off was switched off by the company: it stays off.
    on = [k.pk for k in builtin if not k.is_active and in_packs(specs[k.slug], added)
          and not in_packs(specs[k.slug], before)]
    off = [k.pk for k in builtin if k.is_active and in_packs(specs[k.slug], removed)
           and not in_packs(specs[k.slug], org.packs)]
    Kpi.objects.for_org(org).filter(pk__in=on).update(is_active=True, updated_at=timezone.now())
    Kpi.objects.for_org(org).filter(pk__in=off).update(is_active=False, updated_at=timezone.now())
    if on:
        slugs = set(Kpi.objects.for_org(org).filter(pk__in=on).values_list("slug", flat=True))
        transaction.on_commit(lambda: kpi_values_recompute(org=org, kpi_slugs=slugs))
    return len(on), len(off)


__all__ = [
    "RecomputeReport",
    "catalogue_install",
    "kpi_annotation_create",
    "kpi_create",
    "kpi_delete",
    "kpi_forecasts_refresh",
    "kpi_formula_check",
    "kpi_target_set",
    "kpi_update",
    "kpi_values_recompute",
    "kpi_values_recompute_enqueue",
    "kpi_values_recompute_pending",
    "metric_create",
    "metric_delete",
    "metric_update",
    "metric_validate",
    "catalogue_packs_change",
]
