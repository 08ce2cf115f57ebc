"""Reads of the KPI engine: the catalogue, materialised series, forecasts, driver trees, what-if and lineage.

Every selector takes the organization first and keyword-only arguments, and makes a fixed number of
queries whatever the number of periods or records.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import CharField, DecimalField, F, Q
from django.db.models import Value as V
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Membership, Organization
from kpis.models import Kpi, KpiForecast, KpiTarget, KpiValue, Metric
from kpis.periods import Period, period_containing, periods_between

STATUSES = ("on_track", "at_risk", "off_track", "no_data")


@dataclass(frozen=True)
class KpiPoint:
    period: Period
    value: Decimal | None
    no_value_reason: str
    target: Decimal | None
    status: str  # one of STATUSES


@dataclass(frozen=True)
class KpiReading:
    value: Decimal | None
    reason: str
    inputs: dict  # {"metrics": {slug: str|None}, "kpis": {slug: str|None}}
    computed_at: object = None  # datetime | None when never computed


@dataclass(frozen=True)
class Forecast:
    """A materialised forecast (kpis.models.KpiForecast) of a KPI at the end of one period."""

    value: Decimal | None
    method: str  # a KpiForecast.Method code; its label is translated at display
    actual_to_date: Decimal | None = None
    elapsed: float = 0.0  # share of the period elapsed
    basis: dict = field(default_factory=dict)  # the method's figures (days, seasonal factors, min share…)
    last_year: Decimal | None = None  # the same month last year (months)
    previous_same_days: Decimal | None = None  # the same days of the period before
    last_year_same_days: Decimal | None = None  # the same days of the same period last year
    as_of: date | None = None  # the day it was made
    period: Period | None = None

    @property
    def is_too_early(self) -> bool:
        return self.method == KpiForecast.Method.TOO_EARLY

    @property
    def method_label(self) -> str:
        return str(KpiForecast.Method(self.method).label) if self.method in KpiForecast.Method.values else ""


@dataclass
class DriverNode:
    slug: str
    name: str
    kind: str  # "kpi" | "metric" | "unknown"
    formula: str  # the KPI's formula, or the metric's aggregation in words
    children: list[DriverNode] = field(default_factory=list)
    kpi: Kpi | None = None
    metric: Metric | None = None
    # With a period: whether the value only kept this node as a fallback (coalesce), and a KPI node's reading.
    is_fallback: bool = False
    reading: dict | None = None  # {"value", "inputs", "no_value_reason"} of the KPI's materialised value
    # The business drivers of the root (revenue = orders × average basket…), each group a list of nodes.
    business: list[list[DriverNode]] = field(default_factory=list)


@dataclass(frozen=True)
class WhatIfChange:
    pct: Decimal | None = None  # +10 means +10 %
    value: Decimal | None = None  # set the driver to this value


@dataclass(frozen=True)
class LineagePage:
    metric: Metric
    period: Period
    records: list  # canonical record instances of metric.record_type
    total: int
    page: int
    page_size: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """The one answer to "may this member see this metric or KPI?" for one organization.

    `required` maps every metric and KPI slug to the capabilities a member needs to see it: its own and,
    for a KPI, everything its formula reads, transitively (kpis/visibility.py). A slug it does not know
    is seen by nobody.
    """

    required: dict[str, frozenset[str]]
    kpi_ids: dict[str, int]

    def allows(self, membership: Membership, slug: str) -> bool:
        caps = self.required.get(slug)
        if caps is None:
            return False
        try:
            return all(membership.can(cap) for cap in caps)
        except KeyError:  # an unknown capability hides the figure rather than crashing the page
            return False

    def slugs_for(self, membership: Membership) -> set[str]:
        """Every metric and KPI slug the member may see."""
        return {slug for slug in self.required if self.allows(membership, slug)}

    def kpi_slugs_for(self, membership: Membership) -> set[str]:
        return {slug for slug in self.kpi_ids if self.allows(membership, slug)}

    def kpi_ids_for(self, membership: Membership) -> set[int]:
        return {pk for slug, pk in self.kpi_ids.items() if self.allows(membership, slug)}

    def required_by(self, slugs: set[str]) -> frozenset[str]:
        """What a formula reading these slugs needs (unknown slugs add nothing)."""
        return frozenset().union(*(self.required.get(s, frozenset()) for s in slugs))


def kpi_visibility_for(org: Organization, *, exclude_kpi: str = "") -> Visibility:
    """The organization's metrics and KPIs with what each needs to be seen; 1 query while the catalogue is
    unchanged (`_catalogue`), else 2.

    `exclude_kpi` leaves one KPI out (the one being edited, so its own old formula does not count; 2 queries).
    """
    if not exclude_kpi:
        return _catalogue(org)[1]
    rows = Kpi.objects.for_org(org).values_list("slug", "pk", "formula", "visibility_capability")
    if exclude_kpi:
        rows = rows.exclude(slug=exclude_kpi)
    return _visibility(org, rows)


def _visibility(org: Organization, kpi_rows) -> Visibility:
    from kpis.visibility import required_capabilities

    kpis, ids = {}, {}
    for slug, pk, formula, cap in kpi_rows:
        kpis[slug], ids[slug] = (formula, cap), pk
    metrics = dict(Metric.objects.for_org(org).values_list("slug", "visibility_capability"))
    return Visibility(required=required_capabilities(kpis=kpis, metrics=metrics), kpi_ids=ids)


def kpi_catalogue_for(org: Organization, *, membership: Membership) -> list[Kpi]:
    """Active KPIs the member may see (kpi_visibility_for); 1 query while the catalogue is unchanged, else 2
    (`_catalogue`). The KPIs are this call's own copies: nothing a page sets on one reaches another page."""
    kpis, visibility = _catalogue(org)
    return [_own_copy(k) for k in kpis if k.is_active and visibility.allows(membership, k.slug)]


def _own_copy(kpi: Kpi) -> Kpi:
    """A kept KPI's fields in an instance of the caller's own, with a fresh state (no related object cached):
    what copy.copy does, for a fifth of its cost."""
    from django.db.models.base import ModelState

    own = Kpi.__new__(Kpi)
    own.__dict__.update(kpi.__dict__)
    own._state = ModelState()
    own._state.db, own._state.adding = kpi._state.db, False
    return own


# The catalogue of each organization (its KPIs, in the catalogue's order, and their visibility), kept in this
# process and checked on every read against a fingerprint read from the database: the KPIs' count, active count
# and last `updated_at` (auto_now: every save, and the catalogue's bulk writes, which set it) and the metrics'
# slugs and capabilities themselves (the metric side of visibility is those two columns). One light query
# instead of every KPI column, their instances and the formulas' visibility walk. Nothing is kept in Redis:
# the answer never depends on a cache being up, and a change made by another process is seen on its next
# read. A save or delete in this process also drops the entry (signals below).
_CATALOGUES: OrderedDict[int, tuple[tuple, list[Kpi], Visibility]] = OrderedDict()
_CATALOGUES_KEPT = 256  # organizations; least recently read first out
_CATALOGUES_LOCK = threading.Lock()


_FINGERPRINT_SQL: list[str] = []  # built once from the models' tables and columns


def _catalogue_fingerprint(org: Organization) -> tuple:
    """(KPI count, active count, lowest and highest id, last update, metrics' (slug, capability)…) in one query.

    Plain SQL, filtered by the organization as every query is (row-level security applies alike): built with the
    ORM, its five aggregates cost more Python than the whole catalogue they stand for."""
    from django.db import connection

    if not _FINGERPRINT_SQL:
        k, m = Kpi._meta, Metric._meta
        q = connection.ops.quote_name

        def col(meta, name):
            return q(meta.get_field(name).column)

        _FINGERPRINT_SQL.append(
            f"SELECT k.n, k.a, k.lo, k.hi, k.last, mt.{col(m, 'slug')}, mt.{col(m, 'visibility_capability')} "
            f"FROM (SELECT COUNT(*) AS n, SUM(CASE WHEN {col(k, 'is_active')} THEN 1 ELSE 0 END) AS a, "
            f"MIN({col(k, 'id')}) AS lo, MAX({col(k, 'id')}) AS hi, MAX({col(k, 'updated_at')}) AS last "
            f"FROM {q(k.db_table)} WHERE {col(k, 'organization')} = %s) k "
            f"LEFT JOIN {q(m.db_table)} mt ON mt.{col(m, 'organization')} = %s "
            f"ORDER BY mt.{col(m, 'slug')}")
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL[0], [org.pk, org.pk])
        rows = cursor.fetchall()
    n, active, lo, hi, last = rows[0][:5]
    return (n, active, lo, hi, last, tuple((slug, cap) for *_k, slug, cap in rows if slug is not None))


def _catalogue(org: Organization) -> tuple[list[Kpi], Visibility]:
    fingerprint = _catalogue_fingerprint(org)
    with _CATALOGUES_LOCK:
        kept = _CATALOGUES.get(org.pk)
        if kept is not None and kept[0] == fingerprint:
            _CATALOGUES.move_to_end(org.pk)
            return kept[1], kept[2]
    from kpis.visibility import required_capabilities

    kpis = list(Kpi.objects.for_org(org).order_by("category", "sort_order", "slug"))
    rows = [(k.slug, k.pk, k.formula, k.visibility_capability) for k in kpis]
    ids = {slug: pk for slug, pk, _f, _c in rows}
    required = required_capabilities(kpis={slug: (f, c) for slug, _pk, f, c in rows}, metrics=dict(fingerprint[-1]))
    visibility = Visibility(required=required, kpi_ids=ids)
    with _CATALOGUES_LOCK:
        _CATALOGUES[org.pk] = (fingerprint, kpis, visibility)
        _CATALOGUES.move_to_end(org.pk)
        while len(_CATALOGUES) > _CATALOGUES_KEPT:
            _CATALOGUES.popitem(last=False)
    return kpis, visibility


def forget_catalogue(org_id: int) -> None:
    """Drop this process's copy of an organization's catalogue (the fingerprint would tell anyway; this is for
    a change made within the same clock tick, as a frozen-clock test makes)."""
    with _CATALOGUES_LOCK:
        _CATALOGUES.pop(org_id, None)


@receiver([post_save, post_delete], sender=Kpi, dispatch_uid="kpis.selectors.forget_catalogue.kpi")
@receiver([post_save, post_delete], sender=Metric, dispatch_uid="kpis.selectors.forget_catalogue.metric")
def _forget_catalogue_on_change(sender, instance, **_kw) -> None:
    forget_catalogue(instance.organization_id)


def kpi_by_slug(org: Organization, *, slug: str) -> Kpi | None:
    return Kpi.objects.for_org(org).filter(slug=slug).first()


def active_kpis_with_visibility(org: Organization) -> tuple[list[Kpi], Visibility]:
    """Every active KPI (visible to the member or not: for reasoning, never for display) in the catalogue's
    order, each the caller's own copy, and the organization's visibility; 1 query while the catalogue is
    unchanged, else 2 (`_catalogue`)."""
    kpis, visibility = _catalogue(org)
    return [_own_copy(k) for k in kpis if k.is_active], visibility


def kpi_with_visibility(org: Organization, *, slug: str) -> tuple[Kpi | None, Visibility]:
    """The KPI of this slug (active or not; None when the organization has none) and the organization's
    visibility, from the kept catalogue: 1 query while it is unchanged, else 2 (`_catalogue`)."""
    kpis, visibility = _catalogue(org)
    kpi = next((k for k in kpis if k.slug == slug), None)
    return (_own_copy(kpi) if kpi is not None else None), visibility


def metrics_of(org: Organization) -> list[Metric]:
    return list(Metric.objects.for_org(org).order_by("slug"))


def kpis_with_values(org: Organization) -> set[int]:
    """Ids of the KPIs that have at least one monthly value (in any month); 1 query."""
    return set(
        KpiValue.objects.for_org(org)
        .filter(grain="month", dimension_value="", value__isnull=False)
        .values_list("kpi_id", flat=True)
        .distinct()
    )


def record_types_present(org: Organization, *, record_types: set[str]) -> set[str]:
    """Which of these canonical record types the company has any live record of, as the last recompute found
    them (kpis.presence); 1 query."""
    from kpis.presence import data_presence_for

    return set(data_presence_for(org).record_types) & set(record_types)


# --- statuses and series -------------------------------------------------------------------------


def kpi_status(
    kpi: Kpi, *, value: Decimal | None, target: Decimal | None, at_risk_threshold: Decimal = Decimal("0.10")
) -> str:
    """on_track / at_risk / off_track against the target (rules in KpiTarget's docstring); no_data otherwise."""
    if value is None or target is None:
        return "no_data"
    value, target = Decimal(value), Decimal(target)
    margin = Decimal(at_risk_threshold) * abs(target)
    if kpi.direction == Kpi.Direction.LOWER:
        if value <= target:
            return "on_track"
        return "at_risk" if value <= target + margin else "off_track"
    if value >= target:
        return "on_track"
    return "at_risk" if value >= target - margin else "off_track"


def kpi_series(
    org: Organization, *, kpi: Kpi, grain: str = "month", start: date, end: date, dimension_value: str = ""
) -> list[KpiPoint]:
    """One point per period of the grain overlapping [start, end], from materialised values; 1 query."""
    return kpi_series_and_readings(org, kpi=kpi, grain=grain, start=start, end=end,
                                   dimension_value=dimension_value)[0]


@dataclass(frozen=True)
class PeriodReading:
    """A materialised value or target of one period: `reason` is a value's, `threshold` a target's."""
    value: Decimal | None
    reason: str = ""
    threshold: Decimal | None = None


def kpi_series_and_readings(
    org: Organization, *, kpi: Kpi, grain: str = "month", start: date, end: date, dimension_value: str = "",
    also_values: Iterable[tuple[str, date]] = (), also_targets: Iterable[tuple[str, date]] = (),
) -> tuple[list[KpiPoint], dict[tuple[str, date], PeriodReading], dict[tuple[str, date], PeriodReading]]:
    """kpi_series, with the values and targets of other (grain, start) periods read in the same query (the
    KPI page's running quarter and fiscal year): (points, {(grain, start): value}, {(grain, start): target}).

    Values and targets are one UNION ALL: a page reads them once, whatever the number of periods."""
    periods = periods_between(start, end, grain, org.fiscal_year_start_month)
    wanted_values = {(grain, p.start) for p in periods} | set(also_values)
    wanted_targets = {(grain, p.start) for p in periods} | set(also_targets)
    values: dict[tuple[str, date], PeriodReading] = {}
    targets: dict[tuple[str, date], PeriodReading] = {}
    if wanted_values or wanted_targets:
        for row in _values_and_targets(org, kpi=kpi, dimension_value=dimension_value, values=wanted_values,
                                       targets=wanted_targets):
            if row.kind == "v":
                values[(row.grain, row.period_start)] = PeriodReading(value=row.value, reason=row.reason)
            else:
                targets[(row.grain, row.period_start)] = PeriodReading(value=row.value, threshold=row.threshold)
    points = []
    for p in periods:
        v, t = values.get((grain, p.start)), targets.get((grain, p.start))
        value = v.value if v else None
        reason = (v.reason if v else "not computed yet") if value is None else ""
        target = t.value if t else None
        status = kpi_status(
            kpi, value=value, target=target, at_risk_threshold=t.threshold if t else Decimal("0.10")
        )
        points.append(KpiPoint(period=p, value=value, no_value_reason=reason, target=target, status=status))
    return points, values, targets


def _by_period(wanted: set[tuple[str, date]]) -> Q:
    starts: dict[str, list[date]] = {}
    for grain, start in wanted:
        starts.setdefault(grain, []).append(start)
    q = Q(pk__in=[])
    for grain, dates in sorted(starts.items()):
        q |= Q(grain=grain, period_start__in=sorted(dates))
    return q


def _values_and_targets(org: Organization, *, kpi: Kpi, dimension_value: str, values: set, targets: set):
    """Rows (kind "v" or "t", grain, period_start, value, reason, threshold) of one UNION ALL query."""
    value_rows = (
        KpiValue.objects.for_org(org)
        .filter(_by_period(values), kpi=kpi, dimension_value=dimension_value)
        .annotate(kind=V("v", output_field=CharField()), reason=F("no_value_reason"),
                  threshold=V(None, output_field=DecimalField()))
        .values_list("grain", "period_start", "value", "kind", "reason", "threshold")
    )
    target_rows = (
        KpiTarget.objects.for_org(org)
        .filter(_by_period(targets), kpi=kpi)
        .annotate(kind=V("t", output_field=CharField()), reason=V("", output_field=CharField()),
                  threshold=F("at_risk_threshold"))
        .values_list("grain", "period_start", "value", "kind", "reason", "threshold")
    )
    return value_rows.union(target_rows, all=True).values_list(
        "grain", "period_start", "value", "kind", "reason", "threshold", named=True)


def kpi_value_for_period(
    org: Organization, *, kpi: Kpi, period: Period, dimension_value: str = ""
) -> KpiReading:
    """The materialised value of one period, with the inputs the formula read; 1 query."""
    v = (
        KpiValue.objects.for_org(org)
        .filter(kpi=kpi, grain=period.grain, period_start=period.start, dimension_value=dimension_value)
        .first()
    )
    if v is None:
        return KpiReading(value=None, reason="not computed yet", inputs={})
    return KpiReading(value=v.value, reason=v.no_value_reason, inputs=v.inputs, computed_at=v.computed_at)


@dataclass(frozen=True)
class PeriodFigures:
    """What the engine materialised for one KPI and period: its value (all dimensions together) and, while the
    period is open, its forecast and the forecast's method code (empty when none was made)."""
    value: Decimal | None = None
    forecast: Decimal | None = None
    forecast_method: str = ""

    def at_end(self, period: Period, *, today: date) -> Decimal | None:
        """What the period ends at, as kpi_forecasts answers it: its value once it is over, else the forecast
        (None while too early to tell, or when none was made)."""
        if period.end < today:
            return self.value
        return None if self.forecast_method == KpiForecast.Method.TOO_EARLY else self.forecast


def kpi_period_figures(
    org: Organization, *, kpi_ids: Iterable[int], periods: Iterable[Period]
) -> dict[tuple[int, str, date], PeriodFigures]:
    """The values and forecasts of several KPIs over several periods, by (KPI id, grain, period start): one UNION
    ALL query whatever their number, none for none. A forecast row exists for a period not started yet, where
    no value does, so forecasts are read from their own table rather than joined to the values."""
    kpi_ids, periods = sorted(set(kpi_ids)), set(periods)
    if not kpi_ids or not periods:
        return {}
    which = _by_period({(p.grain, p.start) for p in periods})
    forecasts = (KpiForecast.objects.for_org(org).filter(which, kpi_id__in=kpi_ids)
                 .annotate(kind=V("f", output_field=CharField()))
                 .values_list("kpi_id", "grain", "period_start", "value", "method", "kind").order_by())
    values = (KpiValue.objects.for_org(org).filter(which, kpi_id__in=kpi_ids, dimension_value="")
              .annotate(kind=V("v", output_field=CharField()), method=V("", output_field=CharField()))
              .values_list("kpi_id", "grain", "period_start", "value", "method", "kind").order_by())
    read: dict[tuple[int, str, date], dict] = {}
    for kpi_id, grain, start, value, method, kind in forecasts.union(values, all=True):
        figures = read.setdefault((kpi_id, grain, start), {})
        if kind == "v":
            figures["value"] = value
        else:
            figures.update(forecast=value, forecast_method=method)
    return {key: PeriodFigures(**figures) for key, figures in read.items()}


def kpi_dimension_values(org: Organization, *, kpi: Kpi, grain: str = "month") -> list[str]:
    """The dimension values (segments, channels…) this KPI has materialised values for; 1 query."""
    return list(
        KpiValue.objects.for_org(org)
        .filter(kpi=kpi, grain=grain)
        .exclude(dimension_value="")
        .order_by("dimension_value")
        .values_list("dimension_value", flat=True)
        .distinct()
    )


def current_period(org: Organization, *, grain: str = "month", today: date | None = None) -> Period:
    from django.utils import timezone

    return period_containing(today or timezone.localdate(), grain, org.fiscal_year_start_month)


# --- forecast, driver tree, what-if, lineage -------------------------------------------------------
# Implemented in kpis/engine/analysis.py; these wrappers keep the public read interface in one place.


def _forecast_of(row: KpiForecast, period: Period) -> Forecast:
    return Forecast(value=row.value, method=row.method, actual_to_date=row.to_date, elapsed=float(row.elapsed),
                    basis=row.basis or {}, last_year=row.last_year, previous_same_days=row.previous_same_days,
                    last_year_same_days=row.last_year_same_days, as_of=row.as_of, period=period)


def kpi_forecasts(
    org: Organization, *, wanted: set[tuple[int, Period]], today: date | None = None
) -> dict[tuple[int, str, date], Forecast]:
    """Forecasts for (KPI id, period) pairs, read from what the recompute materialised (kpis/engine/forecast.py,
    never recomputed here): {(kpi id, grain, period start): Forecast}. A period that is over forecasts its
    actual value. 1 query, 2 when some periods are over."""
    from django.db.models import Q
    from django.utils import timezone

    today = today or timezone.localdate()
    if not wanted:
        return {}
    open_, closed = Q(), Q()
    for kpi_id, p in wanted:
        if p.end < today:
            closed |= Q(kpi_id=kpi_id, grain=p.grain, period_start=p.start)
        else:
            open_ |= Q(kpi_id=kpi_id, grain=p.grain, period_start=p.start)
    periods = {(kpi_id, p.grain, p.start): p for kpi_id, p in wanted}
    out: dict[tuple[int, str, date], Forecast] = {}
    if open_:
        for row in KpiForecast.objects.for_org(org).filter(open_):
            key = (row.kpi_id, row.grain, row.period_start)
            out[key] = _forecast_of(row, periods[key])
    if closed:
        for v in KpiValue.objects.for_org(org).filter(closed, dimension_value="").only(
                "kpi_id", "grain", "period_start", "value"):
            key = (v.kpi_id, v.grain, v.period_start)
            out[key] = Forecast(value=v.value, method=KpiForecast.Method.ACTUAL, actual_to_date=v.value,
                                elapsed=1.0, period=periods[key])
    for key, p in periods.items():
        out.setdefault(key, Forecast(value=None, method="", period=p))
    return out


FORECAST_FIELDS = ("value", "method", "elapsed", "to_date", "previous_same_days", "last_year_same_days",
                   "last_year", "basis", "as_of")


def with_forecasts(values):
    """A KpiValue queryset annotated with the materialised forecast of each value's period (`fc_<field>`), so
    a page that reads values gets their forecasts in the same query; read them with `forecast_of_value`.

    One LEFT JOIN on the forecasts' unique key (KPI, grain, period start; the KPI fixes the organization) rather
    than a correlated subquery per field: nine subqueries per row were most of a dashboard's values read, in
    SQL and in building the query."""
    from django.db.models import F, FilteredRelation, Q

    values = values.annotate(_fc=FilteredRelation("kpi__forecasts", condition=Q(
        kpi__forecasts__grain=F("grain"), kpi__forecasts__period_start=F("period_start"))))
    return values.annotate(**{f"fc_{name}": F(f"_fc__{name}") for name in FORECAST_FIELDS})


def forecast_of_value(v: KpiValue, period: Period, *, today: date) -> Forecast:
    """The forecast of an annotated value (with_forecasts): its actual value once the period is over."""
    if period.end < today:
        return Forecast(value=v.value, method=KpiForecast.Method.ACTUAL, actual_to_date=v.value, elapsed=1.0,
                        period=period)
    if getattr(v, "fc_method", None) is None:
        return Forecast(value=None, method="", period=period)
    basis = v.fc_basis
    if isinstance(basis, str):  # a JSON column read through a subquery arrives as text on some databases
        import json

        basis = json.loads(basis)
    return Forecast(value=_dec(v.fc_value), method=v.fc_method, actual_to_date=_dec(v.fc_to_date),
                    elapsed=float(v.fc_elapsed or 0), basis=basis or {}, last_year=_dec(v.fc_last_year),
                    previous_same_days=_dec(v.fc_previous_same_days),
                    last_year_same_days=_dec(v.fc_last_year_same_days), as_of=_day(v.fc_as_of), period=period)


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _day(v) -> date | None:
    return date.fromisoformat(v) if isinstance(v, str) else v


def kpi_forecast(org: Organization, *, kpi: Kpi, period: Period, today: date | None = None) -> Forecast:
    """Forecast of the KPI at the end of `period`, as the last recompute materialised it; 1 query."""
    return kpi_forecasts(org, wanted={(kpi.pk, period)}, today=today)[(kpi.pk, period.grain, period.start)]


def driver_tree(
    org: Organization, *, kpi: Kpi, period: Period | None = None, dimension_value: str = ""
) -> DriverNode:
    """The KPI's formula dependency graph (KPIs and metrics it reads, recursively) and its business drivers;
    with a period, each KPI node carries its materialised reading and the sources the value did not use
    are marked as fallbacks. 2 queries, 3 with a period."""
    from kpis.engine.analysis import build_driver_tree

    return build_driver_tree(org, kpi=kpi, period=period, dimension_value=dimension_value)


def what_if(
    org: Organization, *, period: Period, changes: dict[str, WhatIfChange], dimension_value: str = ""
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Change drivers (metric or KPI slugs) by a percentage or to a value and re-evaluate every KPI that
    depends on them, for one period; returns {kpi slug: (before, after)} for every dependent KPI. Saves nothing."""
    from kpis.engine.analysis import simulate

    return simulate(org, period=period, changes=changes, dimension_value=dimension_value)


def kpi_lineage(
    org: Organization,
    *,
    kpi: Kpi,
    period: Period,
    dimension_value: str = "",
    metric_slug: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> list[LineagePage]:
    """The canonical records that made each metric of the KPI's value for `period` (one page per metric,
    or only `metric_slug`); 2 queries per metric listed."""
    from kpis.engine.analysis import lineage

    return lineage(
        org,
        kpi=kpi,
        period=period,
        dimension_value=dimension_value,
        metric_slug=metric_slug,
        page=page,
        page_size=page_size,
    )


def unmapped_ledger_for(org: Organization, *, metrics: Iterable[Metric]):
    """When the KPI reads ledger lines (one of `metrics`, those of its driver tree, is on ledger lines) and some
    provider accounts are mapped to no PCG class: how many, and what they weigh (their lines count in no KPI);
    None otherwise. 1 query at most."""
    from integrations.mapping import UnmappedSummary
    from kpis.presence import data_presence_for

    if not any(m.organization_id == org.pk and m.record_type == "ledgerline" for m in metrics):
        return None
    presence = data_presence_for(org)
    summary = UnmappedSummary(accounts=presence.unmapped_accounts, amount=presence.unmapped_amount)
    return summary or None
