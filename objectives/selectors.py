"""Reads of the cascade: the objectives tree with live progress and risk, detail pages, what is due.

Evaluating a set of objectives takes a fixed number of queries whatever its size: objectives with
their last check-in (1), their action plans (1), key results with their KPI and last check-in (1),
the KPI values of all key results at once (1), and their forecasts as the KPI engine materialised them at
recompute time (1), the same figures as the KPI page and the home tiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Organization
from config.kept_sql import kept_query
from kpis.models import KpiValue
from kpis.periods import Period, period_containing
from kpis.selectors import FORECAST_FIELDS, forecast_of_value, with_forecasts
from objectives.models import ActionPlan, CheckIn, KeyResult, Objective, ObjectiveTemplate, Review
from objectives.scoring import (
    DECREASE,
    INCREASE,
    Risk,
    RiskInputs,
    clamp,
    key_result_progress,
    risk_score,
    rollup,
    time_elapsed,
)

# KPI data older than this is flagged stale (syncs run at least daily; a week means something broke).
STALE_DATA_DAYS = 7


def kpi_period_for(objective: Objective, *, fy_start_month: int) -> Period | None:
    """The materialised KPI period matching the objective's dates (month, fiscal quarter or year), if any."""
    for grain in ("quarter", "year", "month"):
        p = period_containing(objective.period_start, grain, fy_start_month)
        if p.start == objective.period_start and p.end == objective.period_end:
            return p
    return None


def open_alerts_for(objective: Objective, *, kpi_ids: Iterable[int] = (),
                    counts: tuple[dict[int, int], dict[int, int]] | None = None) -> int:
    """Open (or acknowledged, not yet resolved) alerts on the objective itself and on its key results' KPIs.

    `counts` is `alerts.selectors.open_alert_counts_by_target(org)`, read once for a whole tree; without it
    this reads them (1 query)."""
    from alerts.selectors import open_alert_counts_by_target

    by_kpi, by_objective = counts if counts is not None else open_alert_counts_by_target(objective.organization)
    return by_objective.get(objective.pk, 0) + sum(by_kpi.get(k, 0) for k in set(kpi_ids))


@dataclass
class KeyResultView:
    kr: KeyResult
    current: Decimal | None
    reason: str = ""
    computed_at: object = None
    forecast: Decimal | None = None
    forecast_method: str = ""
    last_check_in: date | None = None
    is_data_stale: bool = False
    is_check_in_stale: bool = False
    is_hidden: bool = False  # bound to a KPI the member may not see: shown as existing, with no figure

    @property
    def progress(self) -> Decimal | None:
        if self.is_hidden:
            return None
        kr = self.kr
        return key_result_progress(start=kr.start_value, target=kr.target_value, current=self.current,
                                   direction=INCREASE if kr.direction == KeyResult.Direction.INCREASE else DECREASE)

    @property
    def progress_pct(self) -> int | None:
        p = self.progress
        return None if p is None else int((clamp(p) * 100).quantize(Decimal("1")))

    @property
    def raw_progress_pct(self) -> int | None:
        p = self.progress
        return None if p is None else int((p * 100).quantize(Decimal("1")))

    @property
    def forecast_progress(self) -> Decimal | None:
        if self.is_hidden:
            return None
        kr = self.kr
        return key_result_progress(start=kr.start_value, target=kr.target_value, current=self.forecast,
                                   direction=INCREASE if kr.direction == KeyResult.Direction.INCREASE else DECREASE)

    @property
    def is_stale(self) -> bool:
        return self.is_data_stale or self.is_check_in_stale


@dataclass
class ObjectiveNode:
    objective: Objective
    key_results: list[KeyResultView] = field(default_factory=list)
    children: list[ObjectiveNode] = field(default_factory=list)
    elapsed: Decimal = Decimal("0")
    progress: Decimal | None = None
    risk: Risk | None = None
    last_check_in_date: date | None = None
    last_confidence: str | None = None
    last_score: int | None = None
    is_check_in_due: bool = False
    depth: int = 0
    plans: list[ActionPlan] = field(default_factory=list)  # the team level of the cascade

    @property
    def progress_pct(self) -> int | None:
        return None if self.progress is None else int((self.progress * 100).quantize(Decimal("1")))

    @property
    def elapsed_pct(self) -> int:
        return int((self.elapsed * 100).quantize(Decimal("1")))

    @property
    def stale_key_results(self) -> list[KeyResultView]:
        return [k for k in self.key_results if k.is_stale]

    @property
    def single_row(self) -> list[dict]:
        """This node as the one row objectives/partials/tree_rows.html draws (a check-in's swap, a detail page)."""
        return [{"node": self, "show_plans": True}]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def hide_unseen_key_results(views: list[KeyResultView], *, visible_kpi_ids: set[int]) -> None:
    """Key results bound to a KPI the member may not see (kpis.selectors.kpi_visibility_for) keep their title
    and lose every figure: value, forecast, progress (start and target are left to the template to hide).
    Call it after the roll-up, so an objective's own progress stays the same for every role."""
    for view in views:
        if view.kr.kpi_id is not None and not view.kr.is_manual and view.kr.kpi_id not in visible_kpi_ids:
            view.is_hidden = True
            view.current = view.forecast = None
            view.reason, view.forecast_method = "", ""


def _objectives_queryset(org: Organization):
    last = CheckIn.objects.for_org(org).filter(objective=OuterRef("pk")).order_by("-date", "-id")
    return (
        Objective.objects.for_org(org)
        .select_related("owner__user")
        .annotate(last_ci_date=Subquery(last.values("date")[:1]),
                  last_ci_confidence=Subquery(last.values("confidence")[:1]),
                  last_ci_score=Subquery(last.values("confidence_score")[:1]))
    )


def _key_results_for(org: Organization, objective_ids: list[int]) -> list[KeyResult]:
    def build():
        last = CheckIn.objects.for_org(org).filter(key_result=OuterRef("pk")).order_by("-date", "-id")
        return (KeyResult.objects.for_org(org).filter(objective_id__in=ids).select_related("kpi")
                .annotate(last_ci_date=Subquery(last.values("date")[:1])).order_by("id"))

    ids = tuple(objective_ids)
    return kept_query(("objectives.key_results", org.pk, ids), build)


def kpi_values_with_forecasts(org: Organization, wanted: set[tuple[int, str, date, str]]) -> dict[tuple, tuple]:
    """The KPI engine's materialised values for (kpi id, grain, period start, dimension) keys; 1 query.

    Read straight from kpis.models in one query: kpis.selectors.kpi_value_for_period reads one at a time.
    Filtered by each column's set of wanted values (a handful of periods and dimensions), not one OR-ed condition
    per key: building that condition was a large part of a dashboard's objectives tree. The few extra rows the
    column sets let through are dropped here. Rows are named tuples with the value's fields and its `fc_` ones.
    """
    if not wanted:
        return {}
    rows = with_forecasts(KpiValue.objects.for_org(org).filter(
        kpi_id__in={k[0] for k in wanted}, grain__in={k[1] for k in wanted}, period_start__in={k[2] for k in wanted},
        dimension_value__in={k[3] for k in wanted}))
    fields = ("kpi_id", "grain", "period_start", "dimension_value", "value", "no_value_reason", "computed_at",
              *(f"fc_{name}" for name in FORECAST_FIELDS))
    out = {}
    for v in rows.values_list(*fields, named=True):
        key = (v.kpi_id, v.grain, v.period_start, v.dimension_value)
        if key in wanted:
            out[key] = v
    return out


def _forecasts(items: list[tuple[KeyResultView, Period, KpiValue]], today: date) -> None:
    """Fill `forecast` from the forecasts the KPI engine materialised at recompute time, read with the values
    (the same figures as the KPI page and the home tiles). A month too early to forecast gives no forecast."""
    from kpis.presenters.common import forecast_method_text

    for view, period, value in items:
        if view.kr.dimension_value:
            continue
        f = forecast_of_value(value, period, today=today)
        view.forecast = None if f.is_too_early else f.value
        view.forecast_method = forecast_method_text(f, view.kr.kpi.unit, today=today)


@dataclass
class PendingEvaluation:
    """Objectives and key results read (begin_evaluation), waiting for their KPI values: `wanted` says which
    (KPI id, grain, period start, dimension) keys; a page that reads values anyway reads these in the same query
    (dashboards.widgets) and hands them to finish_evaluation."""

    nodes: dict[int, ObjectiveNode]
    krs: list[KeyResult]
    periods: dict[int, Period | None]
    wanted: set[tuple[int, str, date, str]]
    today: date
    now: object


def evaluate(org: Organization, objectives: list[Objective], *, today: date | None = None,
             with_forecasts: bool = True) -> dict[int, ObjectiveNode]:
    """Nodes for these objectives (annotated by _objectives_queryset), linked parent → children, scored."""
    pending = begin_evaluation(org, objectives, today=today)
    return finish_evaluation(org, pending, kpi_values_with_forecasts(org, pending.wanted), with_forecasts=with_forecasts)


def _plans_with_their_key_results(plans, krs: list[KeyResult]) -> list[ActionPlan]:
    """The plans in full with their owner, each with the key results it serves (`served_key_results`) taken from
    `krs`, in the same query: one row per plan and key result served, folded here. A plan serves its objective's
    key results (the plan form offers no other); one serving another is left to read its own."""
    by_id = {kr.pk: kr for kr in krs}
    read: dict[int, ActionPlan] = {}
    served: dict[int, list[int]] = {}
    for plan in plans.select_related("owner__user").annotate(served_id=F("key_results__id")):
        read.setdefault(plan.pk, plan)
        if plan.served_id is not None:
            served.setdefault(plan.pk, []).append(plan.served_id)
    for pk, plan in read.items():
        ids = sorted(served.get(pk, ()))
        if all(i in by_id for i in ids):
            plan.__dict__["_served_key_results"] = [by_id[i] for i in ids]
    return list(read.values())


def begin_evaluation(org: Organization, objectives: list[Objective], *, today: date | None = None,
                     plans_in_full: bool = False) -> PendingEvaluation:
    """Nodes for these objectives with their key results and action plans (2 queries), not yet valued.

    `plans_in_full`: each plan with all its fields, its owner and the key results it serves (the same query), as
    an objective's page lists them; a tree needs only their titles, dates and status."""
    today = today or timezone.localdate()
    now = timezone.now()
    fy = org.fiscal_year_start_month
    nodes = {}
    for o in objectives:
        last_date = getattr(o, "last_ci_date", None)
        due = o.is_open and (last_date is None or last_date + timedelta(days=o.check_in_every_days) <= today)
        nodes[o.pk] = ObjectiveNode(
            objective=o, elapsed=time_elapsed(start=o.period_start, end=o.period_end, today=today),
            last_check_in_date=last_date, last_confidence=getattr(o, "last_ci_confidence", None),
            last_score=getattr(o, "last_ci_score", None), is_check_in_due=due)
    krs = _key_results_for(org, list(nodes))
    ids = tuple(nodes)
    plans = ActionPlan.objects.for_org(org).filter(objective_id__in=ids).order_by("due_date", "id")
    if plans_in_full:
        plans = _plans_with_their_key_results(plans, krs)
    else:
        plans = kept_query(("objectives.plans", org.pk, ids), lambda: plans.only(
            "id", "objective_id", "title", "team", "status", "due_date"))
    for plan in plans:
        nodes[plan.objective_id].plans.append(plan)
    periods = {pk: kpi_period_for(n.objective, fy_start_month=fy) for pk, n in nodes.items()}
    wanted = set()
    for kr in krs:
        p = periods[kr.objective_id]
        if kr.kpi_id and not kr.is_manual and p is not None:
            wanted.add((kr.kpi_id, p.grain, p.start, kr.dimension_value))
    return PendingEvaluation(nodes=nodes, krs=krs, periods=periods, wanted=wanted, today=today, now=now)


def finish_evaluation(org: Organization, pending: PendingEvaluation, values: dict[tuple, tuple], *,
                      with_forecasts: bool = True) -> dict[int, ObjectiveNode]:
    """Value, link and score the nodes of begin_evaluation; `values` holds (at least) its `wanted` keys' rows, as
    kpi_values_with_forecasts reads them; 1 query (the open alerts)."""
    nodes, krs, periods, today, now = pending.nodes, pending.krs, pending.periods, pending.today, pending.now
    forecast_items = []
    for kr in krs:
        node = nodes[kr.objective_id]
        cadence = timedelta(days=2 * node.objective.check_in_every_days)
        last_ci = max(filter(None, [getattr(kr, "last_ci_date", None), node.last_check_in_date]), default=None)
        if kr.is_manual:
            view = KeyResultView(kr=kr, current=kr.manual_value, computed_at=kr.manual_value_at,
                                 reason="" if kr.manual_value is not None else "no value typed yet")
            view.is_data_stale = kr.manual_value_at is None or kr.manual_value_at < now - cadence
        else:
            p = periods[kr.objective_id]
            v = values.get((kr.kpi_id, p.grain, p.start, kr.dimension_value)) if p else None
            view = KeyResultView(
                kr=kr, current=v.value if v else None, computed_at=v.computed_at if v else None,
                reason=(v.no_value_reason if v else ("not computed yet" if p else "custom period: no KPI value")))
            view.is_data_stale = v is None or v.value is None or v.computed_at < now - timedelta(days=STALE_DATA_DAYS)
            if p is not None and v is not None:
                forecast_items.append((view, p, v))
        view.last_check_in = last_ci
        view.is_check_in_stale = node.objective.is_open and today >= node.objective.period_start and (
            last_ci is None or last_ci < today - cadence)
        node.key_results.append(view)
    if with_forecasts:
        _forecasts(forecast_items, today)
    for node in nodes.values():
        parent_id = node.objective.parent_id
        if parent_id in nodes:
            nodes[parent_id].children.append(node)
    from alerts.selectors import open_alert_counts_by_target

    alert_counts = open_alert_counts_by_target(org) if nodes else ({}, {})  # the risk score's alerts term, 1 query
    for node in nodes.values():
        if node.objective.parent_id not in nodes:
            _score(node, depth=0, alert_counts=alert_counts)
    return nodes


def _score(node: ObjectiveNode, *, depth: int, alert_counts: tuple[dict[int, int], dict[int, int]]) -> None:
    """Roll up bottom-up: children first, then this node's progress and risk."""
    node.depth = depth
    for child in node.children:
        _score(child, depth=depth + 1, alert_counts=alert_counts)
    items = [(k.progress, k.kr.weight) for k in node.key_results]
    items += [(c.progress, c.objective.weight) for c in node.children]
    node.progress = rollup(items)
    forecasts = [(k.forecast_progress, k.kr.weight) for k in node.key_results if k.forecast_progress is not None]
    forecast_progress = rollup(forecasts) if forecasts else None
    node.risk = risk_score(RiskInputs(
        progress=node.progress, elapsed=node.elapsed, forecast_progress=forecast_progress,
        confidence=node.last_confidence, confidence_score=node.last_score,
        stale_key_results=sum(1 for k in node.key_results if k.is_stale), key_results=len(node.key_results),
        open_alerts=open_alerts_for(node.objective, kpi_ids=[k.kr.kpi_id for k in node.key_results if k.kr.kpi_id],
                                    counts=alert_counts)))


@dataclass
class Tree:
    roots: list[ObjectiveNode]
    nodes: dict[int, ObjectiveNode]
    start: date
    end: date

    def all(self) -> list[ObjectiveNode]:
        return [n for root in self.roots for n in root.walk()]


def objective_tree_for(org: Organization, *, start: date, end: date, owner_id: int | None = None,
                       role: str = "", today: date | None = None) -> Tree:
    """Objectives whose period overlaps [start, end], as a tree with progress and risk; 3 queries when warm.

    Filtering by owner or role keeps the roll-up of the whole tree and shows the matching
    objectives, each under its nearest shown ancestor.
    """
    pending = begin_tree(org, start=start, end=end, today=today)
    return finish_tree(org, pending, kpi_values_with_forecasts(org, pending.wanted), owner_id=owner_id, role=role)


@dataclass
class PendingTree:
    """The objectives of [start, end] read with their key results and plans (begin_tree), not yet valued."""

    evaluation: PendingEvaluation
    start: date
    end: date

    @property
    def wanted(self) -> set[tuple[int, str, date, str]]:
        return self.evaluation.wanted


def begin_tree(org: Organization, *, start: date, end: date, today: date | None = None) -> PendingTree:
    """objective_tree_for's reads up to the KPI values (3 queries): a page that reads KPI values anyway reads
    `wanted` with its own (dashboards.widgets), then finish_tree."""
    objectives = kept_query(("objectives.tree", org.pk, start, end), lambda: (
        _objectives_queryset(org).filter(period_start__lte=end, period_end__gte=start)
        .exclude(status=Objective.Status.CANCELLED).order_by("period_start", "id")))
    return PendingTree(evaluation=begin_evaluation(org, objectives, today=today), start=start, end=end)


def finish_tree(org: Organization, pending: PendingTree, values: dict[tuple, tuple] | None, *,
                owner_id: int | None = None, role: str = "") -> Tree:
    """The tree of begin_tree, valued from `values` (at least its `wanted` rows; None: read them, 1 query) and
    scored (the open alerts: 1 query)."""
    start, end = pending.start, pending.end
    if values is None:
        values = kpi_values_with_forecasts(org, pending.wanted)
    nodes = finish_evaluation(org, pending.evaluation, values)
    roots = [n for n in nodes.values() if n.objective.parent_id not in nodes]
    if owner_id or role:
        def keep(n):
            return (not owner_id or n.objective.owner_id == owner_id) and (not role or n.objective.owner_role == role)

        def prune(n):
            kept_children = [c for child in n.children for c in prune(child)]
            if keep(n):
                return [_shallow(n, kept_children)]
            return kept_children

        roots = [n for root in roots for n in prune(root)]
    return Tree(roots=roots, nodes=nodes, start=start, end=end)


def _shallow(node: ObjectiveNode, children: list[ObjectiveNode]) -> ObjectiveNode:
    copy = ObjectiveNode(**{**node.__dict__, "children": children})
    return copy


def _subtree_ids(org: Organization, root_id: int) -> RawSQL:
    """The ids of an objective of `org` and of all its descendants, at any depth, in one recursive query."""
    table = connection.ops.quote_name(Objective._meta.db_table)
    return RawSQL(
        f"WITH RECURSIVE subtree(id) AS (SELECT id FROM {table} WHERE organization_id = %s AND id = %s "
        f"UNION SELECT o.id FROM {table} o JOIN subtree s ON o.parent_id = s.id WHERE o.organization_id = %s) "
        "SELECT id FROM subtree", (org.pk, root_id, org.pk))


@dataclass
class PendingNode:
    """An objective read with its whole subtree, key results and plans (begin_node), not yet valued."""

    objective: Objective
    evaluation: PendingEvaluation

    @property
    def wanted(self) -> set[tuple[int, str, date, str]]:
        return self.evaluation.wanted

    @property
    def own_key_results(self) -> list[KeyResult]:
        """The objective's own key results, by id, with their KPI."""
        return [kr for kr in self.evaluation.krs if kr.objective_id == self.objective.pk]


def begin_node(org: Organization, *, objective_id: int, today: date | None = None,
               plans_in_full: bool = False) -> PendingNode | None:
    """The objective (with its owner and parent) and its subtree in one query, whatever its depth, then their key
    results and plans (begin_evaluation); None when `org` has no such objective. Cancelled descendants are left
    out, the objective itself never."""
    objectives = list(_objectives_queryset(org).select_related("parent").filter(
        pk__in=_subtree_ids(org, objective_id)).exclude(~Q(pk=objective_id), status=Objective.Status.CANCELLED))
    objective = next((o for o in objectives if o.pk == objective_id), None)
    if objective is None:
        return None
    for o in objectives:
        o.organization = org  # the same row, read by the middleware: forms and alerts need not read it again
    return PendingNode(objective=objective,
                       evaluation=begin_evaluation(org, objectives, today=today, plans_in_full=plans_in_full))


def finish_node(org: Organization, pending: PendingNode, values: dict[tuple, tuple] | None = None) -> ObjectiveNode:
    """The node of begin_node valued from `values` (at least its `wanted` rows; None: read them, 1 query) and
    scored (the open alerts: 1 query)."""
    if values is None:
        values = kpi_values_with_forecasts(org, pending.wanted)
    return finish_evaluation(org, pending.evaluation, values)[pending.objective.pk]


def objective_node(org: Organization, *, objective: Objective, today: date | None = None) -> ObjectiveNode:
    """One objective with its whole subtree evaluated (its ancestors are not needed for its own scores)."""
    pending = begin_node(org, objective_id=objective.pk, today=today)
    if pending is None:
        raise Objective.DoesNotExist(objective.pk)
    return finish_node(org, pending)


def objectives_with_risk(org: Organization, *, objectives: list[Objective], today: date | None = None) -> list[ObjectiveNode]:
    """Snapshot-ready nodes for a handful of objectives (a review), each with its subtree's roll-up."""
    return [objective_node(org, objective=o, today=today) for o in objectives]


def check_in_timeline(org: Organization, *, objective: Objective) -> list[CheckIn]:
    return list(CheckIn.objects.for_org(org).filter(objective=objective)
                .select_related("author__user", "key_result").order_by("-date", "-id")[:50])


def reviews_of(org: Organization) -> list[Review]:
    return list(Review.objects.for_org(org).select_related("created_by").prefetch_related("participants__user")
                .order_by("-held_on", "-id"))


def templates_of(org: Organization) -> list[ObjectiveTemplate]:
    return list(ObjectiveTemplate.objects.for_org(org).order_by("name", "id"))
