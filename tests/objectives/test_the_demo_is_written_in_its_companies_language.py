"""`make demo`: what people typed is in their own language. User-typed content is not translated by gettext,
so the French companies' people write their objectives, key results and plans in French, and read their
e-mails and reports in French; the English subsidiaries' people in English."""

from datetime import date

import pytest

from accounts.demo import COMPANIES, CONSULTANCY_CEO_EMAIL, CONSULTANT_EMAIL, DemoContext, seed_people
from accounts.models import Membership, User
from objectives import demo
from objectives.models import ActionPlan, KeyResult, Objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    demo.seed(ctx)
    return ctx


def test_the_french_companies_and_the_consultancys_people_read_french_the_subsidiaries_english(ctx):
    for key, spec in COMPANIES.items():
        languages = set(Membership.objects.for_org(ctx.companies[key]).exclude(user__email__endswith="@caproute.demo")
                        .filter(user__email__endswith=spec["domain"]).values_list("user__language", flat=True))
        assert languages == {"fr" if key in {"lumen", "nuage", "boisfin", "verrelin"} else "en"}, key
    assert set(User.objects.filter(email__in=[CONSULTANT_EMAIL, CONSULTANCY_CEO_EMAIL])
               .values_list("language", flat=True)) == {"fr"}


def test_maison_lumens_cascade_is_written_in_french(ctx):
    lumen = ctx.companies["lumen"]
    assert set(Objective.objects.for_org(lumen).values_list("title", flat=True)) == {
        "Croître avec rentabilité pendant le pic de Noël", "Facturer 500 K€ au T4",
        "Expédier à temps les commandes du pic", "Augmenter le panier moyen pour Noël"}
    # Without the demo's KPI values some key results depend on (returns, processing) may be missing.
    key_results = set(KeyResult.objects.for_org(lumen).values_list("title", flat=True))
    assert {"Résultat net de l’exercice", "Chiffre d’affaires du trimestre", "Commandes", "Panier moyen"} <= key_results
    assert key_results <= {"Résultat net de l’exercice", "Chiffre d’affaires du trimestre", "Commandes", "Panier moyen",
                           "Traitement des commandes sous 24 h", "Retours ramenés sous 5 %"}
    assert set(ActionPlan.objects.for_org(lumen).values_list("team", "title")) == {
        ("Logistique", "Deuxième équipe d’emballage pour le pic"),
        ("E-commerce", "Coffrets et paquet cadeau offert dès 150 €")}


def test_nuage_and_bois_fin_write_their_objectives_in_french(ctx):
    assert list(Objective.objects.for_org(ctx.companies["nuage"]).values_list("title", flat=True)) == [
        "Rétention nette du revenu (NRR) d’au moins 105 %"]
    assert list(Objective.objects.for_org(ctx.companies["boisfin"]).values_list("title", flat=True)) == [
        "Réduire le coût unitaire de 8 %"]
    assert list(ActionPlan.objects.for_org(ctx.companies["boisfin"]).values_list("team", "title")) == [
        ("Atelier", "Logiciel d’imbrication pour la découpe des panneaux")]


def test_the_drivers_the_demo_adds_are_named_in_french(ctx):
    from kpis.models import Kpi

    assert dict(Kpi.objects.for_org(ctx.companies["lumen"]).filter(slug__in=["orders", "average_basket"])
                .values_list("slug", "name")) == {"orders": "Commandes", "average_basket": "Panier moyen"}
