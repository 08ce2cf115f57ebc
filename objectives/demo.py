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
    {"slug": "orders", "name": "Commandes", "formula": "orders_shipped", "unit": "count", "owner_role": "coo",
     "category": "operations", "description": "Commandes expédiées sur la période."},
    {"slug": "average_basket", "name": "Panier moyen", "formula": "revenue / orders", "unit": "eur",
     "owner_role": "cro", "category": "revenue",
     "description": "Chiffre d’affaires ÷ commandes : chiffre d’affaires = commandes × panier moyen."},
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
        by=ceo, title="Croître avec rentabilité pendant le pic de Noël", kind=Objective.Kind.STRATEGIC,
        period_kind=Objective.PeriodKind.YEAR, period_start=year.start, period_end=year.end,
        description="Faire du pic notre meilleur trimestre sans saturer le traitement des commandes.")
    services.key_result_create(objective=course, by=ceo, title="Résultat net de l’exercice", is_manual=True,
                               start_value=Decimal("0"), target_value=Decimal("120000"), unit="€",
                               manual_value=Decimal("78000"))
    target = services.objective_create(
        by=cfo, title="Facturer 500 K€ au T4", kind=Objective.Kind.FINANCIAL, parent=course,
        period_start=quarter.start, period_end=quarter.end,
        description="Le cap du CFO pour le trimestre : 500 K€ de chiffre d’affaires HT, pic de Noël compris.")
    services.key_result_create(objective=target, by=cfo, title="Chiffre d’affaires du trimestre", kpi=kpis["revenue"],
                               start_value=Decimal("0"), target_value=Decimal("500000"), unit="€")
    services.check_in_create(objective=target, by=cfo, confidence="at_risk", on=ctx.today - timedelta(days=6),
                             note="Octobre conforme ; le pic doit porter novembre et décembre.")

    analysis = analyse(org, objective=target, today=ctx.today)
    operational = commercial = None
    if analysis is not None and analysis.proposals:
        services.derived_targets_accept(objective=target, by=cfo, proposals=analysis.proposals)
        for derived in DerivedTarget.objects.for_org(org).filter(objective=target).select_related("kpi"):
            if derived.kpi.slug == "orders":
                operational = services.derived_target_adopt(
                    derived=derived, by=coo, title="Expédier à temps les commandes du pic",
                    target_value=derived.target_value)
            elif derived.kpi.slug == "average_basket":
                # The CRO adjusts: 5 % above the proposal, a margin in case the peak saturates shipping.
                commercial = services.derived_target_adopt(
                    derived=derived, by=cro, title="Augmenter le panier moyen pour Noël",
                    target_value=(derived.target_value * Decimal("1.05")).quantize(Decimal("0.01")))
        ctx.log(f"  derived targets: {len(analysis.proposals)} accepted ({analysis.feasibility.verdict})")
    if operational is None:
        operational = services.objective_create(by=coo, title="Expédier à temps les commandes du pic",
                                                kind=Objective.Kind.OPERATIONAL, parent=target,
                                                period_start=quarter.start, period_end=quarter.end)
        services.key_result_create(objective=operational, by=coo, title="Commandes", kpi=kpis["orders"],
                                   start_value=Decimal("0"), target_value=Decimal("3000"))
    if commercial is None:
        commercial = services.objective_create(by=cro, title="Augmenter le panier moyen pour Noël",
                                               kind=Objective.Kind.COMMERCIAL, parent=target,
                                               period_start=quarter.start, period_end=quarter.end)
        services.key_result_create(objective=commercial, by=cro, title="Panier moyen", kpi=kpis["average_basket"],
                                   start_value=Decimal("150"), target_value=Decimal("170"))
    if "order_processing_mean" in kpis:
        services.key_result_create(objective=operational, by=coo, title="Traitement des commandes sous 24 h",
                                   kpi=kpis["order_processing_mean"], direction=KeyResult.Direction.DECREASE,
                                   start_value=Decimal("30"), target_value=Decimal("24"))
    if "return_rate" in kpis:
        services.key_result_create(objective=operational, by=coo, title="Retours ramenés sous 5 %",
                                   kpi=kpis["return_rate"], direction=KeyResult.Direction.DECREASE,
                                   start_value=Decimal("6"), target_value=Decimal("5"))
    plan = services.action_plan_create(
        objective=operational, by=coo, title="Deuxième équipe d’emballage pour le pic", team="Logistique",
        due_date=quarter.start + timedelta(days=45), status="in_progress",
        key_results=list(operational.key_results.all()[:1]),
        checklist=[{"text": "Recruter 4 emballeurs intérimaires", "done": True},
                   {"text": "Repousser l’enlèvement transporteur à 19 h", "done": True},
                   {"text": "Pré-emballer les 20 meilleures ventes", "done": False}])
    services.action_plan_create(
        objective=commercial, by=cro, title="Coffrets et paquet cadeau offert dès 150 €", team="E-commerce",
        due_date=quarter.start + timedelta(days=30), status="done",
        key_results=list(commercial.key_results.all()[:1]),
        checklist=[{"text": "Trois coffrets de Noël en ligne", "done": True},
                   {"text": "Seuil du paquet cadeau dans le panier", "done": True}])
    services.check_in_create(objective=operational, by=coo, confidence="at_risk", confidence_score=6,
                             on=ctx.today - timedelta(days=3),
                             note="Deuxième équipe dès le 20 novembre ; 210 commandes par semaine, "
                                  "notre record à ce jour.")
    services.check_in_create(objective=commercial, by=cro, confidence="on_track", confidence_score=8,
                             on=ctx.today - timedelta(days=2),
                             note="Les coffrets convertissent bien depuis leur lancement.")
    services.review_create(
        by=cfo, title="Revue finance–opérations : le pic est-il absorbable ?", held_on=ctx.today - timedelta(days=1),
        participants=[cfo, coo, cro, ceo], objectives=[target, operational, commercial],
        decisions="Ouvrir la deuxième équipe d’emballage le 20 novembre\nPlafonner l’acquisition payante à la capacité "
                  "mesurée\nPoint hebdomadaire sur les commandes jusqu’à Noël",
        follow_ups=[plan])
    services.template_save(by=cfo, name="Objectif trimestriel de chiffre d’affaires et ses leviers",
                           objectives=[target, operational, commercial],
                           description="L’objectif de chiffre d’affaires du CFO, avec les commandes du COO "
                                       "et le panier du CRO.")
    ctx.log(f"  {org.name}: the cascade from the CEO's course to the COO's and CRO's objectives")


def _nuage(ctx: DemoContext) -> None:
    org = ctx.companies["nuage"]
    kpis = _kpis(org)
    cro = ctx.member("nuage", "cro")
    quarter = period_containing(ctx.today, "quarter", org.fiscal_year_start_month)
    objective = services.objective_create(
        by=cro, title="Rétention nette du revenu (NRR) d’au moins 105 %", kind=Objective.Kind.COMMERCIAL,
        period_start=quarter.start, period_end=quarter.end,
        description="L’expansion doit plus que compenser le churn mensuel d’environ 2 %.")
    start = _previous(org, kpis["nrr"], quarter) if "nrr" in kpis else None
    services.key_result_create(objective=objective, by=cro, title="NRR", kpi=kpis.get("nrr"),
                               is_manual="nrr" not in kpis, start_value=min(start or Decimal("101"), Decimal("105")),
                               target_value=Decimal("105"), unit="%")
    if "churn_rate" in kpis:
        churn = _previous(org, kpis["churn_rate"], quarter) or Decimal("6")
        services.key_result_create(objective=objective, by=cro, title="Churn clients du trimestre réduit d’un quart",
                                   kpi=kpis["churn_rate"], direction=KeyResult.Direction.DECREASE,
                                   start_value=churn.quantize(Decimal("0.01")),
                                   target_value=(churn * Decimal("0.75")).quantize(Decimal("0.01")))
    services.action_plan_create(objective=objective, by=cro, title="Vendre le module analytique aux 30 premiers comptes",
                                team="Succès client", due_date=quarter.end - timedelta(days=15),
                                status="in_progress", key_results=list(objective.key_results.all()),
                                checklist=[{"text": "Lister les 30 comptes", "done": True},
                                           {"text": "Une revue trimestrielle avec chacun", "done": False}])
    services.check_in_create(objective=objective, by=cro, confidence="at_risk", confidence_score=5,
                             on=ctx.today - timedelta(days=4),
                             note="Deux clients de taille moyenne sont partis en octobre.")
    ctx.log(f"  {org.name}: the CRO's NRR ≥ 105 % objective")


def _boisfin(ctx: DemoContext) -> None:
    org = ctx.companies["boisfin"]
    kpis = _kpis(org)
    coo, cfo = ctx.member("boisfin", "coo"), ctx.member("boisfin", "cfo")
    quarter = period_containing(ctx.today, "quarter", org.fiscal_year_start_month)
    cost = kpis.get("cost_per_unit")
    start = (_previous(org, cost, quarter) if cost else None) or Decimal("185")
    objective = services.objective_create(
        by=coo, title="Réduire le coût unitaire de 8 %", kind=Objective.Kind.OPERATIONAL,
        period_start=quarter.start, period_end=quarter.end,
        description="Moins de chutes et un meilleur plan de lots, à qualité égale.")
    services.key_result_create(objective=objective, by=coo, title="Coût unitaire", kpi=cost, is_manual=cost is None,
                               direction=KeyResult.Direction.DECREASE, start_value=start.quantize(Decimal("0.01")),
                               target_value=(start * Decimal("0.92")).quantize(Decimal("0.01")), unit="€")
    services.action_plan_create(objective=objective, by=coo, title="Logiciel d’imbrication pour la découpe des panneaux",
                                team="Atelier", due_date=quarter.start + timedelta(days=60), status="planned",
                                key_results=list(objective.key_results.all()),
                                checklist=[{"text": "Comparer deux logiciels d’imbrication", "done": True},
                                           {"text": "Former les deux découpeurs", "done": False}])
    services.check_in_create(objective=objective, by=coo, confidence="on_track", on=ctx.today - timedelta(days=9),
                             note="Chutes ramenées de 14 % à 11 % sur les premiers lots.")
    services.template_save(by=cfo, name="Coût unitaire −8 %", objectives=[objective],
                           description="Un objectif opérationnel et son KPI de coût ; les cibles s’adaptent "
                                       "à chaque entreprise.")
    # The consultant keeps the same set in the firm's library, to apply it to the other clients at once.
    consultant = Membership.objects.for_org(org).filter(engagement__consultant=ctx.consultant).first()
    if consultant is not None and consultant.can("objectives.templates"):
        services.template_save(by=consultant, name="Coût unitaire −8 % (méthode Cap & Route)", objectives=[objective],
                               description="Imbrication, plan de lots et suivi des chutes ; les −8 % s’appliquent au "
                                           "coût unitaire de chaque client.")
    ctx.log(f"  {org.name}: cost per unit −8 %")
