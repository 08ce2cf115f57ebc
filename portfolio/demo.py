"""This app's part of the demo story (see accounts/demo.py).

Cap & Route Conseil groups its three clients (by trade, by size, and the consultant's own book) so the
benchmarks have something to compare; Atelier Bois Fin gets a subsidiary, Bois Fin Distribution (it sells
the workshop's furniture through two showrooms; its ledger is generated here and computed by the engine
like any company's), and the consultancy declares the two a group, which both CEOs approve. Maison Lumen's
CEO declares Groupe Lumen with its English subsidiary herself, without the consultancy, and marks the
subsidiary's sales to Maison Lumen intercompany. The
consultancy's CEO, Camille Durand, is engaged as CFO on both, so she sees the consolidated SIG lines; the
consultant, COO there, sees revenue and cash, and the cost lines hidden for his role.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.capabilities import Role
from accounts.demo import DemoContext
from accounts.models import Membership, Organization
from accounts.services import engagement_approve, engagement_create
from integrations.models import Customer, LedgerLine, Source
from kpis.periods import add_months
from kpis.services import catalogue_install, kpi_values_recompute
from portfolio.models import ConsolidationMember
from portfolio.services import (
    client_group_create,
    consolidation_declare,
    consolidation_declare_as_holding,
    consolidation_member_approve,
    intercompany_mark,
)

SUBSIDIARY = {"slug": "bois-fin-distribution", "name": "Bois Fin Distribution", "trade": "Vente de meubles"}
MONTHS = 24


def seed(ctx: DemoContext) -> None:
    firm, boss = ctx.consultancy, _boss(ctx)
    lumen, nuage, boisfin = (ctx.companies[k] for k in ("lumen", "nuage", "boisfin"))
    subsidiary = _subsidiary(ctx)
    ctx.companies["boisfin_distribution"] = subsidiary
    for name, kind, clients in (
        ("E-commerce", "trade", [lumen]),
        ("SaaS", "trade", [nuage]),
        ("Ameublement", "trade", [boisfin, subsidiary]),
        ("PME de moins de 10 M€", "size", [lumen, nuage, boisfin, subsidiary]),
        ("Portefeuille d’Olivier Renard", "consultant", [lumen, nuage, boisfin, subsidiary]),
    ):
        client_group_create(consultancy=firm, name=name, kind=kind, clients=clients, by=boss.user)
    consolidation = consolidation_declare(consultancy=firm, name="Groupe Bois Fin", holding=boisfin,
                                          companies=[subsidiary], by=boss.user)
    for member in ConsolidationMember.objects.filter(consolidation=consolidation):  # scoped: the demo's own rows
        ceo = Membership.objects.get(organization_id=member.organization_id, role=Role.CEO)  # scoped: demo tenant
        consolidation_member_approve(member=member, by=ceo)
    ctx.log("  portfolio: 5 client groups; Groupe Bois Fin consolidates Atelier Bois Fin and Bois Fin Distribution")
    _lumen_group(ctx)


def _lumen_group(ctx: DemoContext) -> None:
    """Maison Lumen's CEO sits on the board of its English subsidiary (a CEO membership there too) and
    declares Groupe Lumen from the holding's side, without the consultancy; Lumen Home Ltd's CEO approves."""
    lumen, uk = ctx.companies["lumen"], ctx.companies["lumenuk"]
    ceo = ctx.member("lumen", Role.CEO)
    Membership.objects.get_or_create(organization=uk, user=ceo.user, defaults={"role": Role.CEO})  # scoped: demo
    group = consolidation_declare_as_holding(by=ceo, name="Groupe Lumen", companies=[uk])
    member = ConsolidationMember.objects.get(consolidation=group, organization=uk)  # scoped: the demo's own row
    consolidation_member_approve(member=member, by=ctx.member("lumenuk", Role.CEO))
    ctx.log(f"  portfolio: Groupe Lumen consolidates {lumen.name} and {uk.name}, declared by their CEO "
            f"({ceo.user.email}, Consolidation → Groupe Lumen)")
    # Lumen Home Ltd sells stock to its parent each month (integrations/demo_quickbooks.py): its CEO marks
    # that customer intercompany, so the consolidated page leaves those sales and receivables out.
    parent = Customer.objects.for_org(uk).filter(name=lumen.name).first()
    if parent is None:
        ctx.log("  portfolio: no intercompany customer marked in Groupe Lumen (QuickBooks was not synced)")
        return
    intercompany_mark(company=uk, customer=parent, by=ceo.user)
    ctx.log(f"  portfolio: {uk.name}'s customer {parent.name} marked intercompany in Groupe Lumen")


def _boss(ctx: DemoContext) -> Membership:
    return Membership.objects.get(organization=ctx.consultancy, role=Role.CEO)  # scoped: the demo consultancy


def _subsidiary(ctx: DemoContext) -> Organization:
    Organization.objects.filter(slug=SUBSIDIARY["slug"]).delete()  # scoped: the demo's own tenant, from a last run
    org = Organization.objects.create(**SUBSIDIARY, fiscal_year_start_month=7, packs=["general"])
    owner = ctx.member("boisfin", Role.CEO).user  # Marc Lefèvre owns both
    Membership.objects.create(organization=org, user=owner, role=Role.CEO)
    boss = _boss(ctx)
    for consultant, role in ((ctx.consultant, Role.COO), (boss, Role.CFO)):
        engagement_approve(engagement=engagement_create(client=org, consultant=consultant, role=role, by=boss.user),
                           by=owner)
    if not Membership.objects.filter(organization=ctx.companies["boisfin"], user=boss.user).exists():  # scoped
        engagement_approve(engagement=engagement_create(client=ctx.companies["boisfin"], consultant=boss,
                                                        role=Role.CFO, by=boss.user), by=owner)
    catalogue_install(org)
    LedgerLine.objects.bulk_create(_ledger(org, ctx))
    kpi_values_recompute(org=org, today=ctx.today)
    return org


def _ledger(org: Organization, ctx: DemoContext) -> list[LedgerLine]:
    """Two showrooms' books: sales of goods (707) peaking before Christmas and in the spring, goods bought
    at about 55 % of sales (607), rent, wages and social charges, the bank (512) and customers (411)."""
    rng = random.Random(ctx.seed + 11)
    lines: list[LedgerLine] = []
    first = add_months(ctx.today, -(MONTHS - 1))
    n = 0

    def book(day: date, account: str, label: str, debit=Decimal(0), credit=Decimal(0)) -> None:
        nonlocal n
        if day > ctx.today:  # the month's later entries are not booked yet
            return
        n += 1
        lines.append(LedgerLine(organization=org, source=Source.DEMO, external_id=f"bfd-{n}", account_number=account,
                                date=day, journal="OD", label=label, debit=debit, credit=credit))

    for i in range(MONTHS):
        start = add_months(first, i)
        if start > ctx.today:
            break
        season = {11: Decimal("1.6"), 12: Decimal("1.9"), 4: Decimal("1.2"), 5: Decimal("1.2")}.get(start.month, 1)
        sales = (Decimal(42_000) * season * Decimal(rng.uniform(0.9, 1.1))).quantize(Decimal("1"))
        goods = (sales * Decimal(rng.uniform(0.52, 0.58))).quantize(Decimal("1"))
        day = start + timedelta(days=14)
        book(day, "707000", "Ventes de marchandises", credit=sales)
        book(day, "411000", "Clients", debit=sales * Decimal("1.2"))
        book(day, "445710", "TVA collectée", credit=sales * Decimal("0.2"))
        book(day, "607000", "Achats de marchandises (Scierie du Jura)", debit=goods)
        book(day, "401000", "Fournisseurs et personnel", credit=goods + Decimal(20_600))
        book(day, "613200", "Loyers des showrooms", debit=Decimal(6_500))
        book(day, "641000", "Salaires", debit=Decimal(9_800))
        book(day, "645000", "Charges sociales", debit=Decimal(4_300))
        paid = (sales * Decimal("1.2") * Decimal(rng.uniform(0.85, 1.0))).quantize(Decimal("1"))
        book(start + timedelta(days=24), "512000", "Encaissements clients", debit=paid)
        book(start + timedelta(days=24), "411000", "Encaissements clients", credit=paid)
        spent = goods + Decimal(20_600)
        book(start + timedelta(days=27), "512000", "Décaissements", credit=spent)
        book(start + timedelta(days=27), "401000", "Fournisseurs et personnel", debit=spent)
    book(first, "512000", "Apport initial", debit=Decimal(60_000))
    book(first, "101000", "Capital", credit=Decimal(60_000))
    return lines
