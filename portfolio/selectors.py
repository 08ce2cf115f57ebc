"""Reads of the consultancy's own portfolio rows: its groups, its clients, its consolidations."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Engagement, Membership, Organization
from integrations.models import Customer, Supplier
from portfolio.clients import ServedClient
from portfolio.models import (
    ClientGroup,
    Consolidation,
    ConsolidationMember,
    IntercompanyParty,
)

PARTIES_SHOWN = 300  # customers and suppliers offered for marking, per consolidation (largest names first)


def client_groups(consultancy: Organization) -> tuple[list[ClientGroup], dict[int, set[int]]]:
    """The consultancy's groups and, per group, its clients' ids; 1 query (each group with its members joined)."""
    groups: dict[int, ClientGroup] = {}
    members: dict[int, set[int]] = defaultdict(set)
    # The members come through their group, the consultancy's (a member row carries the group's organization).
    rows = ClientGroup.objects.for_org(consultancy).order_by("kind", "name", "id").values_list(
        "id", "name", "kind", "created_at", "members__client_id")
    for pk, name, kind, created_at, client_id in rows:
        if pk not in groups:
            groups[pk] = ClientGroup(pk=pk, organization=consultancy, name=name, kind=kind, created_at=created_at)
        if client_id is not None:
            members[pk].add(client_id)
    return list(groups.values()), dict(members)


def consultancy_clients(consultancy: Organization) -> QuerySet[Organization]:
    """The companies the consultancy has engagements on (any consultant), for its forms."""
    return Organization.objects.filter(  # scoped: the companies this consultancy is engaged on
        pk__in=Engagement.objects.filter(consultancy=consultancy).values("organization")  # scoped: firm's own
    ).order_by("name")


def consolidations_of(consultancy: Organization) -> list[tuple[Consolidation, list[ConsolidationMember]]]:
    """The consultancy's consolidations with their members' consent; 2 queries."""
    consolidations = list(Consolidation.objects.for_org(consultancy).select_related("holding").order_by("name"))
    members: dict[int, list[ConsolidationMember]] = defaultdict(list)
    for m in ConsolidationMember.objects.filter(  # scoped: the rows the consultancy declared (its RLS exception)
            declared_by=consultancy).select_related("organization").order_by("organization__name"):
        members[m.consolidation_id].append(m)
    return [(c, members[c.pk]) for c in consolidations]


def other_companies_of(member: Membership) -> QuerySet[Organization]:
    """The other companies where the signed-in user holds a membership: those a holding's CEO may group."""
    return Organization.objects.filter(  # scoped: the companies of the user's own memberships
        pk__in=Membership.objects.filter(user_id=member.user_id).values("organization"),  # scoped: their own
        kind=Organization.Kind.COMPANY,
    ).exclude(pk=member.organization_id).order_by("name")


def consolidation_requests(company: Organization) -> QuerySet[ConsolidationMember]:
    """The consolidations declared on this company, pending first."""
    return (ConsolidationMember.objects.for_org(company)
            .select_related("consolidation__holding", "declared_by").order_by("-approved_at", "created_at"))


def intercompany_parties(counted: list[ServedClient], *, offered: list[ServedClient] | None = None,
                         ) -> tuple[list[IntercompanyParty], list[tuple[str, str]]]:
    """The marks of the consolidation's counted companies, and the customers and suppliers of the `offered`
    ones (default: all counted) that could be marked ("customer:<id>" / "supplier:<id>", labelled with their
    company); 3 queries (inside `reading_clients` or `reading_own_companies`)."""
    ids = [c.org.pk for c in counted]
    offered_ids = ids if offered is None else [c.org.pk for c in offered if c.org.pk in ids]
    names = {c.org.pk: c.org.name for c in counted}
    marks = list(IntercompanyParty.objects.filter(  # scoped: the served clients only (clients_read_context)
        organization_id__in=ids).select_related("customer", "supplier", "organization"))
    marked = {("customer", m.customer_id) for m in marks} | {("supplier", m.supplier_id) for m in marks}
    choices = []
    for kind, model in (("customer", Customer), ("supplier", Supplier)):
        for pk, org_id, name in model.objects.filter(  # scoped: the served clients only (clients_read_context)
                organization_id__in=offered_ids, is_deleted=False).order_by("name").values_list(
                "pk", "organization_id", "name")[:PARTIES_SHOWN]:
            if (kind, pk) not in marked:
                choices.append((f"{kind}:{pk}", f"{names[org_id]} · {kind_label(kind)} · {name}"))
    return marks, choices


def kind_label(kind: str) -> str:
    return _("customer") if kind == "customer" else _("supplier")
