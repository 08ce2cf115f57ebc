"""This app's part of the demo story (see accounts/demo.py): the cascade from the CFO's target to the teams.

Maison Lumen: the CEO's yearly course, the CFO's Q4 revenue target of 500 K€, derived targets
accepted by the CFO and adopted by the COO (orders) and the CRO (average basket), an action plan,
check-ins and a review. Nuage Analytics: the CRO's NRR ≥ 105 %. Atelier Bois Fin: cost per unit −8 %.

It runs after the integrations and KPI steps and reads whatever KPI values they computed; without
them the objectives still exist, with "no data" where a value is missing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accounts.demo import DemoContext
from accounts.models import Membership
from kpis.models import Kpi
from kpis.periods import period_containing
from kpis.selectors import kpi_value_for_period
from objectives import services
from objectives.derivation import analyse
from objectives.models import DerivedTarget, KeyResult, Objective

# Two drivers the feasibility check needs; added per tenant when the catalogue does not carry them.
DRIVER_KPIS = [
    {"slug": "orders", "name": "Orders", "formula": "orders_shipped", "unit": "count", "owner_role": "coo",
     "category": "operations", "description": "Orders shipped in the period."},
    {"slug": "average_basket", "name": "Average basket", "formula": "revenue / orders", "unit": "eur",
     "owner_role": "cro", "category": "revenue", "description": "Revenue ÷ orders: revenue = orders × basket."},
]


def _kpis(org) -> dict[str, Kpi]:
    from kpis.services import catalogue_install, kpi_create

    if not Kpi.objects.for_org(org).exists():
        catalogue_install(org)
    kpis = {k.slug: k for k in Kpi.objects.for_org(org)}
    for spec in DRIVER_KPIS:
        if spec["slug"] not in kpis:
            spec = dict(spec)
            slug = spec.pop("slug")
            kpis[slug] = kpi_create(org=org, by=None, slug=slug, name=spec.pop("name"), formula=spec.pop("formula"),
                                    **spec)
    return kpis


def _previous(org, kpi: Kpi, quarter) -> Decimal | None:
    return kpi_value_for_period(org, kpi=kpi, period=quarter.previous()).value


def seed(ctx: DemoContext) -> None:
    _lumen(ctx)
    _nuage(ctx)
    _boisfin(ctx)


def _lumen(ctx: DemoContext) -> None:
    org = ctx.companies["lumen"]
    kpis = _kpis(org)
    ceo, cfo, coo, cro = (ctx.member("lumen", r) for r in ("ceo", "cfo", "coo", "cro"))
    quarter = period_containing(ctx.today, "quarter", org.fiscal_year_start_month)
    year = period_containing(ctx.today, "year", org.fiscal_year_start_month)
    course = services.objective_create(
        by=ceo, title="Grow profitably through the Christmas peak", kind=Objective.Kind.STRATEGIC,
        period_kind=Objective.PeriodKind.YEAR, period_start=year.start, period_end=year.end,
        description="Make the peak the best quarter ever without breaking order processing.")
    services.key_result_create(objective=course, by=ceo, title="Net result of the year", is_manual=True,
                               start_value=Decimal("0"), target_value=Decimal("120000"), unit="€",
                               manual_value=Decimal("78000"))
    target = services.objective_create(
        by=cfo, title="Invoice 500 K€ in Q4", kind=Objective.Kind.FINANCIAL, parent=course,
        period_start=quarter.start, period_end=quarter.end,
        description="The CFO's course for the quarter: 500 K€ of revenue excl. VAT, Christmas peak included.")
    services.key_result_create(objective=target, by=cfo, title="Revenue of the quarter", kpi=kpis["revenue"],
                               start_value=Decimal("0"), target_value=Decimal("500000"), unit="€")
    services.check_in_create(objective=target, by=cfo, confidence="at_risk", on=ctx.today - timedelta(days=6),
                             note="October in line; the peak has to carry November and December.")

    analysis = analyse(org, objective=target, today=ctx.today)
    operational = commercial = None
    if analysis is not None and analysis.proposals:
        services.derived_targets_accept(objective=target, by=cfo, proposals=analysis.proposals)
        for derived in DerivedTarget.objects.for_org(org).filter(objective=target).select_related("kpi"):
            if derived.kpi.slug == "orders":
                operational = services.derived_target_adopt(
                    derived=derived, by=coo, title="Ship the peak's orders on time",
                    target_value=derived.target_value)
            elif derived.kpi.slug == "average_basket":
                # The CRO adjusts: 5 % above the proposal, a margin in case the peak saturates shipping.
                commercial = services.derived_target_adopt(
                    derived=derived, by=cro, title="Lift the average basket for Christmas",
                    target_value=(derived.target_value * Decimal("1.05")).quantize(Decimal("0.01")))
        ctx.log(f"  derived targets: {len(analysis.proposals)} accepted ({analysis.feasibility.verdict})")
    if operational is None:
        operational = services.objective_create(by=coo, title="Ship the peak's orders on time",
                                                kind=Objective.Kind.OPERATIONAL, parent=target,
                                                period_start=quarter.start, period_end=quarter.end)
        services.key_result_create(objective=operational, by=coo, title="Orders", kpi=kpis["orders"],
                                   start_value=Decimal("0"), target_value=Decimal("3000"))
    if commercial is None:
        commercial = services.objective_create(by=cro, title="Lift the average basket for Christmas",
                                               kind=Objective.Kind.COMMERCIAL, parent=target,
                                               period_start=quarter.start, period_end=quarter.end)
        services.key_result_create(objective=commercial, by=cro, title="Average basket", kpi=kpis["average_basket"],
                                   start_value=Decimal("150"), target_value=Decimal("170"))
    if "order_processing_mean" in kpis:
        services.key_result_create(objective=operational, by=coo, title="Order processing under 24 h",
                                   kpi=kpis["order_processing_mean"], direction=KeyResult.Direction.DECREASE,
                                   start_value=Decimal("30"), target_value=Decimal("24"))
    if "return_rate" in kpis:
        services.key_result_create(objective=operational, by=coo, title="Returns back under 5 %",
                                   kpi=kpis["return_rate"], direction=KeyResult.Direction.DECREASE,
                                   start_value=Decimal("6"), target_value=Decimal("5"))
    plan = services.action_plan_create(
        objective=operational, by=coo, title="Second packing shift for the peak", team="Logistics",
        due_date=quarter.start + timedelta(days=45), status="in_progress",
        key_results=list(operational.key_results.all()[:1]),
        checklist=[{"text": "Hire 4 temporary packers", "done": True},
                   {"text": "Extend the carrier pick-up to 19:00", "done": True},
                   {"text": "Pre-pack the 20 best sellers", "done": False}])
    services.action_plan_create(
        objective=commercial, by=cro, title="Bundles and free gift wrapping above 150 €", team="E-commerce",
        due_date=quarter.start + timedelta(days=30), status="done",
        key_results=list(commercial.key_results.all()[:1]),
        checklist=[{"text": "Three Christmas bundles online", "done": True},
                   {"text": "Gift-wrapping threshold in the cart", "done": True}])
    services.check_in_create(objective=operational, by=coo, confidence="at_risk", confidence_score=6,
                             on=ctx.today - timedelta(days=3),
                             note="Second shift from 20 November; 210 orders a week is our best so far.")
    services.check_in_create(objective=commercial, by=cro, confidence="on_track", confidence_score=8,
                             on=ctx.today - timedelta(days=2), note="Bundles convert well since their launch.")
    services.review_create(
        by=cfo, title="Finance–operations review: is the peak absorbable?", held_on=ctx.today - timedelta(days=1),
        participants=[cfo, coo, cro, ceo], objectives=[target, operational, commercial],
        decisions="Open the second packing shift on 20 November\nCap paid acquisition at the measured capacity\n"
                  "Weekly check-in on orders until Christmas",
        follow_ups=[plan])
    services.template_save(by=cfo, name="Quarterly revenue target and its drivers",
                           objectives=[target, operational, commercial],
                           description="The CFO's revenue target with the COO's orders and the CRO's basket.")
    ctx.log(f"  {org.name}: the cascade from the CEO's course to the COO's and CRO's objectives")


def _nuage(ctx: DemoContext) -> None:
    org = ctx.companies["nuage"]
    kpis = _kpis(org)
    cro = ctx.member("nuage", "cro")
    quarter = period_containing(ctx.today, "quarter", org.fiscal_year_start_month)
    objective = services.objective_create(
        by=cro, title="Net revenue retention at 105 % or more", kind=Objective.Kind.COMMERCIAL,
        period_start=quarter.start, period_end=quarter.end,
        description="Expansion must more than cover the ~2 % monthly churn.")
    start = _previous(org, kpis["nrr"], quarter) if "nrr" in kpis else None
    services.key_result_create(objective=objective, by=cro, title="NRR", kpi=kpis.get("nrr"),
                               is_manual="nrr" not in kpis, start_value=min(start or Decimal("101"), Decimal("105")),
                               target_value=Decimal("105"), unit="%")
    if "churn_rate" in kpis:
        churn = _previous(org, kpis["churn_rate"], quarter) or Decimal("6")
        services.key_result_create(objective=objective, by=cro, title="Customer churn of the quarter down by a quarter",
                                   kpi=kpis["churn_rate"], direction=KeyResult.Direction.DECREASE,
                                   start_value=churn.quantize(Decimal("0.01")),
                                   target_value=(churn * Decimal("0.75")).quantize(Decimal("0.01")))
    services.action_plan_create(objective=objective, by=cro, title="Upsell the analytics add-on to the top 30 accounts",
                                team="Customer success", due_date=quarter.end - timedelta(days=15),
                                status="in_progress", key_results=list(objective.key_results.all()),
                                checklist=[{"text": "List the 30 accounts", "done": True},
                                           {"text": "QBR with each", "done": False}])
    services.check_in_create(objective=objective, by=cro, confidence="at_risk", confidence_score=5,
                             on=ctx.today - timedelta(days=4), note="Two mid-size customers churned in October.")
    ctx.log(f"  {org.name}: the CRO's NRR ≥ 105 % objective")


def _boisfin(ctx: DemoContext) -> None:
    org = ctx.companies["boisfin"]
    kpis = _kpis(org)
    coo, cfo = ctx.member("boisfin", "coo"), ctx.member("boisfin", "cfo")
    quarter = period_containing(ctx.today, "quarter", org.fiscal_year_start_month)
    cost = kpis.get("cost_per_unit")
    start = (_previous(org, cost, quarter) if cost else None) or Decimal("185")
    objective = services.objective_create(
        by=coo, title="Cut the cost per unit by 8 %", kind=Objective.Kind.OPERATIONAL,
        period_start=quarter.start, period_end=quarter.end,
        description="Less offcut waste and a better batch plan, same quality.")
    services.key_result_create(objective=objective, by=coo, title="Cost per unit", kpi=cost, is_manual=cost is None,
                               direction=KeyResult.Direction.DECREASE, start_value=start.quantize(Decimal("0.01")),
                               target_value=(start * Decimal("0.92")).quantize(Decimal("0.01")), unit="€")
    services.action_plan_create(objective=objective, by=coo, title="Nesting software for panel cutting",
                                team="Workshop", due_date=quarter.start + timedelta(days=60), status="planned",
                                key_results=list(objective.key_results.all()),
                                checklist=[{"text": "Compare two nesting tools", "done": True},
                                           {"text": "Train the two cutters", "done": False}])
    services.check_in_create(objective=objective, by=coo, confidence="on_track", on=ctx.today - timedelta(days=9),
                             note="Offcuts down from 14 % to 11 % on the first batches.")
    services.template_save(by=cfo, name="Cost per unit −8 %", objectives=[objective],
                           description="An operational objective with its cost KPI; targets scale to each company.")
    # The consultant keeps the same set in the firm's library, to apply it to the other clients at once.
    consultant = Membership.objects.for_org(org).filter(engagement__consultant=ctx.consultant).first()
    if consultant is not None and consultant.can("objectives.templates"):
        services.template_save(by=consultant, name="Cost per unit −8 % (Cap & Route method)", objectives=[objective],
                               description="Nesting, batch planning and offcut tracking; the −8 % scales to each "
                                           "client's own cost per unit.")
    ctx.log(f"  {org.name}: cost per unit −8 %")
