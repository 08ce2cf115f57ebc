"""Reads behind the feasibility check and the derived targets of a financial objective.

How a KPI splits into drivers, from the KPI catalogue's formulas:
- its own formula, when it is a product (`orders * average_basket`) or a sum of KPIs/metrics;
- otherwise the catalogue's ratios that divide it: `average_basket = revenue / orders` means
  revenue = orders × average_basket. This holds by construction, whatever revenue's own formula.
The second level is found the same way (orders = sessions × conversion when such a ratio exists).
For B2B companies, the pipeline needed is the revenue still to win ÷ the win rate, proposed as a
pipeline-coverage target of 1 ÷ win rate for the CRO.

Each driver's "current" value over the period is what the period yields at current run-rates:
the KPI engine's forecast for flows, or the value to date (else the previous period's) for ratios.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Count, Max
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import Organization
from integrations.models import OperationalValue, Order
from kpis.engine.drivers import BUSINESS_DRIVERS
from kpis.engine.formula import Binary, FormulaError, Ref, parse
from kpis.models import Kpi
from kpis.periods import Period
from kpis.presenters.common import kpi_name
from kpis.selectors import PeriodFigures, kpi_period_figures
from objectives.feasibility import PRODUCT, SUM, VOLUME_DRIVERS, Driver, Feasibility, feasibility_check
from objectives.models import KeyResult, Objective
from objectives.selectors import kpi_period_for

CAPACITY_SERIES = "order_capacity_per_week"
CAPACITY_WEEKS = 13  # "the last 3 months"
FLOW_UNITS = {Kpi.Unit.EUR, Kpi.Unit.COUNT}
ROLE_KIND = {"coo": Objective.Kind.OPERATIONAL, "cro": Objective.Kind.COMMERCIAL, "cfo": Objective.Kind.FINANCIAL,
             "ceo": Objective.Kind.STRATEGIC}


def _flatten(node, op: str) -> list | None:
    if isinstance(node, Binary) and node.op in (op, {"*": "×", "+": "+"}[op]):
        left, right = _flatten(node.left, op), _flatten(node.right, op)
        return None if left is None or right is None else left + right
    if isinstance(node, Ref):
        return [node.name]
    return None


def decompose(kpi: Kpi, catalogue: dict[str, Kpi]) -> tuple[str, list[str]] | None:
    """(shape, driver slugs) for this KPI: the business drivers the catalogue declares (kpis/engine/drivers.py,
    revenue = orders × average basket) when the tenant has them; else its own formula (a product or a sum);
    else a ratio that divides it, built-in KPIs first, then the oldest: a KPI someone adds later never
    silently replaces the decomposition in use."""
    for group in BUSINESS_DRIVERS.get(kpi.slug, ()):
        if all(slug in catalogue for slug in group):
            return PRODUCT, list(group)
    try:
        tree = parse(kpi.formula)
    except FormulaError:
        tree = None
    for shape, op in ((PRODUCT, "*"), (SUM, "+")):
        parts = _flatten(tree, op) if tree is not None else None
        if parts and len(parts) > 1:
            return shape, parts
    for other in sorted(catalogue.values(), key=lambda k: (not k.is_builtin, k.created_at, k.pk)):
        if other.pk == kpi.pk:
            continue
        try:
            node = parse(other.formula)
        except FormulaError:
            continue
        if isinstance(node, Binary) and node.op in ("/", "÷") and isinstance(node.left, Ref) \
                and isinstance(node.right, Ref) and node.left.name == kpi.slug:
            return PRODUCT, [node.right.name, other.slug]
    return None


@dataclass(frozen=True)
class _Figures:
    """The materialised values and forecasts of the KPIs an analysis reasons on, for its period and the one
    before: read once (kpis.selectors.kpi_period_figures), whatever the number of drivers."""
    read: dict
    today: date

    @classmethod
    def of(cls, org: Organization, kpis: Iterable[Kpi], period: Period, today: date) -> _Figures:
        return cls(kpi_period_figures(org, kpi_ids={k.pk for k in kpis}, periods={period, period.previous()}),
                   today)

    def value(self, kpi: Kpi, period: Period) -> Decimal | None:
        return self.read.get((kpi.pk, period.grain, period.start), PeriodFigures()).value

    def current(self, kpi: Kpi, period: Period) -> Decimal | None:
        """What the period yields at current run-rates: the forecast for flows, the value so far for ratios."""
        if kpi.unit in FLOW_UNITS:
            forecast = self.read.get((kpi.pk, period.grain, period.start), PeriodFigures()).at_end(
                period, today=self.today)
            if forecast is not None:
                return forecast
        if period.start <= self.today:
            value = self.value(kpi, period)
            if value is not None and (kpi.unit not in FLOW_UNITS or self.today > period.end):
                return value
        return self.value(kpi, period.previous())


def _kpis_in_play(target: Kpi, catalogue: dict[str, Kpi]) -> list[Kpi]:
    """Every KPI an analysis of `target` may read: its drivers, the drivers of its volume drivers, and the
    pipeline's coverage and win rate."""
    slugs = {target.slug, "pipeline_coverage", "win_rate_6m", "win_rate"}
    split = decompose(target, catalogue)
    for slug in split[1] if split else ():
        slugs.add(slug)
        driver = catalogue.get(slug)
        sub = decompose(driver, catalogue) if driver is not None and slug in VOLUME_DRIVERS else None
        slugs.update(sub[1] if sub else ())
    return [target, *(catalogue[s] for s in sorted(slugs) if s in catalogue and s != target.slug)]


def order_capacity_per_week(org: Organization, *, today: date) -> tuple[Decimal | None, str]:
    """Measured processing capacity: the uploaded series if any, else the best week of orders shipped (13 weeks)."""
    since = today - timedelta(weeks=CAPACITY_WEEKS)
    series = OperationalValue.objects.for_org(org).filter(series=CAPACITY_SERIES, date__gt=since, date__lte=today,
                                                          is_deleted=False).aggregate(m=Max("value"))["m"]
    if series is not None:
        return Decimal(series), _("series %(series)s, last 3 months") % {"series": CAPACITY_SERIES}
    start = timezone.make_aware(timezone.datetime.combine(since, timezone.datetime.min.time()))
    weeks = (Order.objects.for_org(org).filter(shipped_at__gte=start, is_deleted=False)
             .annotate(week=TruncWeek("shipped_at")).values("week").annotate(n=Count("id")).order_by("-n")[:1])
    best = next(iter(weeks), None)
    if best is None:
        return None, ""
    return Decimal(best["n"]), _("best week of orders shipped in the last 3 months")


@dataclass(frozen=True)
class Proposal:
    kpi: Kpi
    kind: str
    start_value: Decimal
    target_value: Decimal
    direction: str
    rationale: str

    @property
    def kind_label(self) -> str:
        return Objective.Kind(self.kind).label


@dataclass(frozen=True)
class Analysis:
    key_result: KeyResult
    period: Period
    feasibility: Feasibility
    proposals: list[Proposal]


def financial_key_result(objective: Objective, *, key_results: list[KeyResult] | None = None) -> KeyResult | None:
    """The key result a feasibility check reasons about: the first one on a KPI, increasing (among `key_results`,
    the objective's by id with their KPI, when the caller read them already)."""
    if key_results is None:
        key_results = objective.key_results.select_related("kpi").order_by("id")
    return next((kr for kr in key_results
                 if kr.kpi_id and not kr.is_manual and kr.direction == KeyResult.Direction.INCREASE), None)


def analyse(org: Organization, *, objective: Objective, today: date | None = None,
            key_results: list[KeyResult] | None = None, active_kpis: list[Kpi] | None = None) -> Analysis | None:
    """Feasibility of the objective's target and the driver targets that reach it; None if nothing to reason on.

    A page that read the objective's key results (by id, with their KPI) or the organization's active KPIs
    already passes them: the analysis then reads neither again."""
    today = today or timezone.localdate()
    kr = financial_key_result(objective, key_results=key_results)
    period = kpi_period_for(objective, fy_start_month=org.fiscal_year_start_month)
    if kr is None or period is None:
        return None
    if active_kpis is None:
        active_kpis = Kpi.objects.for_org(org).filter(is_active=True)
    catalogue = {k.slug: k for k in active_kpis}
    target_kpi = kr.kpi
    figures = _Figures.of(org, _kpis_in_play(target_kpi, catalogue), period, today)
    baseline = figures.current(target_kpi, period)
    split = decompose(target_kpi, catalogue)
    drivers: list[Driver] = []
    shape = PRODUCT
    if split is not None:
        shape, slugs = split
        for slug in slugs:
            driver_kpi = catalogue.get(slug)
            if driver_kpi is None:
                continue
            drivers.append(Driver(slug=slug, name=kpi_name(driver_kpi), current=figures.current(driver_kpi, period),
                                  is_volume=slug in VOLUME_DRIVERS, unit=driver_kpi.unit))
    capacity, source = (None, "")
    if any(d.is_volume for d in drivers):
        capacity, source = order_capacity_per_week(org, today=today)
    result = feasibility_check(target=kr.target_value, baseline=baseline, shape=shape, drivers=drivers,
                               days=period.days, capacity_per_week=capacity, capacity_source=source)
    proposals = _proposals(result, catalogue, period, figures)
    pipeline = _pipeline_proposal(result, catalogue, period, figures)
    if pipeline is not None:
        proposals.append(pipeline)
    return Analysis(key_result=kr, period=period, feasibility=result, proposals=proposals)


def _proposals(f: Feasibility, catalogue: dict[str, Kpi], period: Period, figures: _Figures) -> list[Proposal]:
    """Volume up to what operations can absorb, the rest from the other drivers; one level further down."""
    if not f.moves or f.baseline is None:
        return []
    proposals = []
    volume = f.volume_move
    volume_target = None
    if volume is not None:
        volume_target = volume.needed
        if f.capacity_per_week is not None:
            volume_target = min(volume.needed, f.capacity_per_week * f.weeks)
        volume_target = volume_target.quantize(Decimal("1"), rounding=ROUND_CEILING)
    for move in f.moves:
        kpi = catalogue[move.slug]
        kind = ROLE_KIND.get(kpi.owner_role, Objective.Kind.OPERATIONAL)
        if move.is_volume:
            target = volume_target
            rationale = _("%(per_week)s a week over %(weeks)s weeks (now %(now)s a week)") % {
                "per_week": number_format((target / f.weeks).quantize(Decimal("1"), rounding=ROUND_CEILING), 0),
                "weeks": number_format(f.weeks.quantize(Decimal("0.1")), 1),
                "now": number_format(move.current_per_week.quantize(Decimal("1")), 0)}
        elif volume is not None and len(f.moves) == 2 and f.target > 0:
            # The other factor carries what the volume cannot: target ÷ volume target.
            target = max(move.current, (f.target / volume_target).quantize(Decimal("0.01")))
            rationale = _("what %(volume)s orders leave to the basket: %(target)s ÷ %(volume)s") % {
                "volume": number_format(volume_target, 0, force_grouping=True),
                "target": number_format(f.target.quantize(Decimal("1")), 0, force_grouping=True)}
        else:
            target = move.needed.quantize(Decimal("0.01"))
            rationale = _("this driver alone reaching the target")
        start = move.current.quantize(Decimal("0.01"))
        proposals.append(Proposal(kpi=kpi, kind=kind, start_value=start if not move.is_volume else Decimal("0"),
                                  target_value=target, direction=KeyResult.Direction.INCREASE, rationale=rationale))
        # One level further: orders = sessions × conversion → the conversion the orders target needs.
        sub = decompose(kpi, catalogue) if move.is_volume else None
        if sub is not None and sub[0] == PRODUCT:
            for slug in sub[1]:
                rate = catalogue.get(slug)
                if rate is None or rate.unit in FLOW_UNITS:
                    continue
                others = [catalogue.get(s) for s in sub[1] if s != slug]
                other_values = [figures.current(k, period) for k in others if k is not None]
                rate_now = figures.current(rate, period)
                if rate_now is None or not other_values or any(v in (None, 0) for v in other_values):
                    continue
                product = Decimal("1")
                for v in other_values:
                    product *= v
                needed = (target / product).quantize(Decimal("0.0001"))
                proposals.append(Proposal(
                    kpi=rate, kind=ROLE_KIND.get(rate.owner_role, Objective.Kind.COMMERCIAL),
                    start_value=rate_now.quantize(Decimal("0.0001")), target_value=max(needed, rate_now),
                    direction=KeyResult.Direction.INCREASE,
                    rationale=_("the rate that turns current %(others)s into %(target)s %(kpi)s") % {
                        "others": ", ".join(kpi_name(k) for k in others if k), "target": target, "kpi": kpi_name(kpi)}))
    return proposals


def _pipeline_proposal(f: Feasibility, catalogue: dict[str, Kpi], period: Period,
                       figures: _Figures) -> Proposal | None:
    """Pipeline needed (B2B): the coverage the win rate requires, pipeline = revenue still to win ÷ win rate."""
    coverage, win_rate = catalogue.get("pipeline_coverage"), catalogue.get("win_rate_6m") or catalogue.get("win_rate")
    if coverage is None or win_rate is None or f.baseline is None or f.gap is None or f.gap <= 0:
        return None
    rate = figures.current(win_rate, period)
    if not rate:
        return None
    required = (Decimal("100") / rate).quantize(Decimal("0.01"))
    pipeline = (f.gap * 100 / rate).quantize(Decimal("1"))
    now = figures.value(coverage, period)
    return Proposal(kpi=coverage, kind=ROLE_KIND.get(coverage.owner_role, Objective.Kind.COMMERCIAL),
                    start_value=(now or Decimal("0")).quantize(Decimal("0.01")), target_value=required,
                    direction=KeyResult.Direction.INCREASE,
                    rationale=_("pipeline needed: %(gap)s still to win ÷ %(rate)s %% win rate = %(pipeline)s") % {
                        "gap": number_format(f.gap.quantize(Decimal("1")), 0, force_grouping=True),
                        "rate": number_format(rate.quantize(Decimal("0.1")), 1),
                        "pipeline": number_format(pipeline, 0, force_grouping=True)})
