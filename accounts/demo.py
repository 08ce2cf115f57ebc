"""The demo's cast: Cap & Route Conseil and its three client companies (PRODUCT.md, "The demo").

`manage.py seed_demo` runs DEMO_STEPS in order; each app tells its own part of the story in
`<app>/demo.py` with a `seed(ctx)` function. Everything derives from `ctx.seed`, so two runs
give the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.module_loading import import_string

from accounts.capabilities import Role
from accounts.models import Membership, Organization, User
from accounts.services import engagement_approve, engagement_create

DEMO_PASSWORD = "pilotage-demo-2026"
CONSULTANCY = {"slug": "cap-route-conseil", "name": "Cap & Route Conseil"}
COMPANIES = {
    "lumen": {"slug": "maison-lumen", "name": "Maison Lumen", "trade": "E-commerce B2C (décoration)",
              "domain": "lumen.demo", "language": "fr", "fiscal_year_start_month": 1, "packs": ["general", "commerce", "budget"]},
    "nuage": {"slug": "nuage-analytics", "name": "Nuage Analytics", "trade": "SaaS B2B",
              "domain": "nuage.demo", "language": "fr", "fiscal_year_start_month": 1, "packs": ["general", "saas", "budget"]},
    "boisfin": {"slug": "atelier-bois-fin", "name": "Atelier Bois Fin", "trade": "Fabricant de meubles",
                "domain": "boisfin.demo", "language": "fr", "fiscal_year_start_month": 7, "packs": ["general", "manufacturing", "budget", "sales"]},
    # Maison Lumen's English subsidiary, on QuickBooks Online (fiscal year from April, as its books say).
    "lumenuk": {"slug": "lumen-home-ltd", "name": "Lumen Home Ltd", "trade": "Home décor distribution (UK)",
                "domain": "lumenhome.demo", "language": "en", "fiscal_year_start_month": 4, "packs": ["general", "commerce"]},
    # A client of the consultancy keeping its books in Sage Comptabilité (a PCG chart, year ending 31 December).
    "verrelin": {"slug": "verre-et-lin", "name": "Verre & Lin", "trade": "Fabricant d’arts de la table en verre et lin",
                 "domain": "verrelin.demo", "language": "fr", "fiscal_year_start_month": 1, "packs": ["general", "commerce", "sales"]},
    # Atelier Bois Fin's English distributor, on Xero (financial year ending 31 March, as its books say).
    "boisfinuk": {"slug": "bois-fin-uk", "name": "Bois Fin UK Ltd", "trade": "Furniture distribution (UK)",
                  "domain": "boisfinuk.demo", "language": "en", "fiscal_year_start_month": 4, "packs": ["general", "commerce"]},
}
CONSULTANT_EMAIL = "consultant@caproute.demo"
CONSULTANCY_CEO_EMAIL = "ceo@caproute.demo"

DEMO_STEPS = [
    "accounts.demo.seed_people",
    "integrations.demo.seed",
    "imports.demo.seed",
    "kpis.demo.seed",
    "budgets.demo.seed",
    "objectives.demo.seed",
    "alerts.demo.seed",
    "reports.demo.seed",
    "portfolio.demo.seed",
    "dashboards.demo.seed",
    "reports.demo.seed_team_digests",
]


@dataclass
class DemoContext:
    today: date
    seed: int
    log: Callable[[str], None] = print
    consultancy: Organization | None = None
    consultant: Membership | None = None  # the consultant's membership in the consultancy
    companies: dict[str, Organization] = field(default_factory=dict)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)  # (company key, role)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (who, e-mail, role)

    def member(self, company: str, role: str) -> Membership:
        return self.members[(company, role)]


def _user(email: str, full_name: str, language: str = "fr") -> User:
    """A demo person, with the language of their e-mails and reports: the French companies' and the
    consultancy's people are French, the English subsidiaries' are English."""
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, language=language)


def reset() -> None:
    """Remove a previous demo so `make demo` can be run again."""
    slugs = [CONSULTANCY["slug"], *(c["slug"] for c in COMPANIES.values())]
    Organization.objects.filter(slug__in=slugs).delete()  # scoped: the demo's own tenants
    User.objects.filter(email__endswith=".demo").delete()


NAMES = {
    "lumen": {"ceo": "Claire Morel", "cfo": "Hugo Lambert", "coo": "Inès Garnier", "cro": "Théo Roux",
              "admin": "Sarah Petit", "viewer": "Lucas Fontaine", "cmo": "Amélie Rousseau", "cxo": "Karim Benali"},
    "nuage": {"ceo": "Paul Mercier", "cfo": "Emma Girard", "coo": "Nathan Bonnet", "cro": "Léa Dupuis",
              "admin": "Jules Faure", "viewer": "Chloé André", "cmo": "Victor Lemaire", "cxo": "Sofia Marchand"},
    "boisfin": {"ceo": "Marc Lefèvre", "cfo": "Julie Blanc", "coo": "Antoine Chevalier", "cro": "Manon Robin",
                "admin": "Hélène Masson", "viewer": "Louis Gauthier", "cmo": "Élise Perrin", "cxo": "Bastien Colin"},
    "lumenuk": {"ceo": "Oliver Bennett", "cfo": "Amelia Clarke", "coo": "Harry Walsh", "cro": "Grace Turner",
                "admin": "Jack Morgan", "viewer": "Ella Hughes", "cmo": "Sophie Reed", "cxo": "Daniel Price"},
    "verrelin": {"ceo": "Anne Vidal", "cfo": "Romain Picard", "coo": "Lina Moreau", "cro": "Yanis Brun",
                 "admin": "Margaux Fabre", "viewer": "Noé Barbier", "cmo": "Jeanne Leroy", "cxo": "Samuel Dumas"},
    "boisfinuk": {"ceo": "James Carter", "cfo": "Olivia Hughes", "coo": "Thomas Wright", "cro": "Emily Cooper",
                  "admin": "George Ward", "viewer": "Lily Morris", "cmo": "Isla Bennett", "cxo": "Noah Foster"},
}


def seed_people(ctx: DemoContext) -> None:
    firm = Organization.objects.create(kind=Organization.Kind.CONSULTANCY, **CONSULTANCY)
    ctx.consultancy = firm
    boss = _user(CONSULTANCY_CEO_EMAIL, "Camille Durand")
    Membership.objects.create(organization=firm, user=boss, role=Role.CEO)
    consultant_user = _user(CONSULTANT_EMAIL, "Olivier Renard")
    ctx.consultant = Membership.objects.create(organization=firm, user=consultant_user, role=Role.COO)
    ctx.logins.append((CONSULTANCY["name"], CONSULTANCY_CEO_EMAIL, "CEO"))
    ctx.logins.append((CONSULTANCY["name"], CONSULTANT_EMAIL, "consultant (COO on the three clients)"))
    for key, spec in COMPANIES.items():
        org = Organization.objects.create(
            slug=spec["slug"], name=spec["name"], trade=spec["trade"],
            fiscal_year_start_month=spec["fiscal_year_start_month"], packs=spec["packs"],
        )
        ctx.companies[key] = org
        for role in Role.values:
            email = f"{role}@{spec['domain']}"
            ctx.members[(key, role)] = Membership.objects.create(
                organization=org, user=_user(email, NAMES[key][role], spec["language"]), role=role
            )
            ctx.logins.append((spec["name"], email, Role(role).label))
        engagement = engagement_create(client=org, consultant=ctx.consultant, role=Role.COO, by=boss)
        engagement_approve(engagement=engagement, by=ctx.members[(key, Role.CEO)].user)


def run(ctx: DemoContext) -> DemoContext:
    with transaction.atomic():
        reset()
    for path in DEMO_STEPS:
        step = import_string(path)
        ctx.log(f"· {path}")
        step(ctx)
    return ctx
