"""Writes of the portfolio: the consultancy's client groups, its consolidations, the companies' consent
to them and their intercompany marks. Each validates that the clients are the consultancy's own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rls
from accounts.audit import audit_log_record
from accounts.models import Engagement, Membership, Organization, User
from integrations.models import Customer, Supplier
from portfolio.models import (
    ClientGroup,
    ClientGroupMember,
    Consolidation,
    ConsolidationMember,
    IntercompanyParty,
)


def _ensure_client_of(consultancy: Organization, client: Organization) -> None:
    if not consultancy.is_consultancy or client.is_consultancy:
        raise ValidationError(_("Only a consultancy groups its client companies."))
    if not Engagement.objects.filter(  # scoped: the consultancy's own engagements (its RLS exception)
            consultancy=consultancy, organization=client).exists():
        raise ValidationError(_("%(org)s is not a client of %(firm)s.") % {"org": client, "firm": consultancy})


@transaction.atomic
def client_group_create(*, consultancy: Organization, name: str, kind: str, clients: list[Organization],
                        by: User | None) -> ClientGroup:
    """A group of the consultancy's clients (a trade, a size, a consultant's book)."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the group a name."))
    if ClientGroup.objects.for_org(consultancy).filter(name=name).exists():
        raise ValidationError(_("A group called %(name)s already exists.") % {"name": name})
    group = ClientGroup.objects.create(organization=consultancy, name=name, kind=kind)
    client_group_set_clients(group=group, clients=clients)
    audit_log_record(org=consultancy, actor=by, action="client_group.created", target=group,
                     data={"clients": sorted(c.name for c in clients)})
    return group


@transaction.atomic
def client_group_set_clients(*, group: ClientGroup, clients: list[Organization]) -> ClientGroup:
    """The group's clients become exactly these."""
    consultancy = group.organization
    for client in clients:
        _ensure_client_of(consultancy, client)
    ClientGroupMember.objects.for_org(consultancy).filter(group=group).exclude(client__in=clients).delete()
    present = set(ClientGroupMember.objects.for_org(consultancy).filter(group=group).values_list("client_id", flat=True))
    ClientGroupMember.objects.bulk_create([
        ClientGroupMember(organization=consultancy, group=group, client=c) for c in clients if c.pk not in present])
    return group


@transaction.atomic
def client_group_delete(*, group: ClientGroup, by: User | None) -> None:
    audit_log_record(org=group.organization, actor=by, action="client_group.deleted", target=group)
    group.delete()


@transaction.atomic
def consolidation_declare(*, consultancy: Organization, name: str, holding: Organization,
                          companies: list[Organization], by: User | None) -> Consolidation:
    """Declare a holding and its subsidiaries; each company's part waits for its CEO's approval."""
    name = name.strip()
    companies = list(dict.fromkeys([holding, *companies]))
    if not name:
        raise ValidationError(_("Give the consolidation a name."))
    if len(companies) < 2:
        raise ValidationError(_("A consolidation groups a holding and at least one other company."))
    for company in companies:
        _ensure_client_of(consultancy, company)
    try:
        with transaction.atomic():
            consolidation = Consolidation.objects.create(organization=consultancy, name=name, holding=holding)
    except IntegrityError:
        raise ValidationError(_("A consolidation called %(name)s already exists.") % {"name": name}) from None
    for company in companies:
        with rls.org_context(company):  # the company's consent is a row of its own tenant
            ConsolidationMember.objects.create(organization=company, consolidation=consolidation,
                                               declared_by=consultancy)
        audit_log_record(org=company, actor=by, action="consolidation.declared", target=consolidation,
                         data={"consultancy": consultancy.name, "holding": holding.name})
    audit_log_record(org=consultancy, actor=by, action="consolidation.declared", target=consolidation,
                     data={"companies": sorted(c.name for c in companies)})
    return consolidation


@transaction.atomic
def consolidation_declare_as_holding(*, by: Membership, name: str, companies: list[Organization]) -> Consolidation:
    """The holding's CEO declares the group without a consultancy: the holding's part is approved by the
    declaring CEO at once, each other company's waits for its own CEO, as when a consultancy declares.

    The companies are ones where the CEO holds a membership: nobody names a company they do not belong to."""
    holding = by.organization
    name = name.strip()
    if holding.is_consultancy or not by.can("consolidation.approve"):
        raise ValidationError(_("Only the holding company's CEO declares its group."))
    companies = [c for c in dict.fromkeys(companies) if c.pk != holding.pk]
    if not name:
        raise ValidationError(_("Give the consolidation a name."))
    if not companies:
        raise ValidationError(_("A consolidation groups a holding and at least one other company."))
    belongs = set(Membership.objects.filter(  # scoped: the CEO's own memberships (their RLS exception)
        user_id=by.user_id, organization__in=companies).values_list("organization_id", flat=True))
    for company in companies:
        if company.is_consultancy or company.pk not in belongs:
            raise ValidationError(_("You are not a member of %(org)s.") % {"org": company})
    try:
        with transaction.atomic():
            consolidation = Consolidation.objects.create(organization=holding, name=name, holding=holding)
    except IntegrityError:
        raise ValidationError(_("A consolidation called %(name)s already exists.") % {"name": name}) from None
    ConsolidationMember.objects.create(organization=holding, consolidation=consolidation, declared_by=holding,
                                       approved_at=timezone.now(), approved_by=by.user)
    for company in companies:
        with rls.org_context(company):  # the company's consent is a row of its own tenant
            ConsolidationMember.objects.create(organization=company, consolidation=consolidation,
                                               declared_by=holding)
        audit_log_record(org=company, actor=by.user, action="consolidation.declared", target=consolidation,
                         data={"holding": holding.name})
    audit_log_record(org=holding, actor=by.user, action="consolidation.declared", target=consolidation,
                     data={"companies": sorted(c.name for c in companies)})
    return consolidation


@transaction.atomic
def consolidation_member_approve(*, member: ConsolidationMember, by: Membership) -> ConsolidationMember:
    """The company's CEO lets its figures be summed with the group's (in the company's own tenant)."""
    if member.organization_id != by.organization_id or not by.can("consolidation.approve"):
        raise ValidationError(_("Only the company's CEO decides on its consolidation."))
    member.approved_at = timezone.now()
    member.approved_by = by.user
    member.save(update_fields=["approved_at", "approved_by"])
    for org in {member.organization, member.declared_by}:  # one org when the holding declared the group itself
        audit_log_record(org=org, actor=by.user, action="consolidation.approved", target=member.consolidation)
    return member


@transaction.atomic
def consolidation_member_refuse(*, member: ConsolidationMember, by: Membership) -> None:
    """The company leaves (or never joins) the consolidation: its figures are no longer summed."""
    if member.organization_id != by.organization_id or not by.can("consolidation.approve"):
        raise ValidationError(_("Only the company's CEO decides on its consolidation."))
    consolidation = member.consolidation
    for org in {member.organization, member.declared_by}:
        audit_log_record(org=org, actor=by.user, action="consolidation.refused", target=consolidation)
    member.delete()


@transaction.atomic
def intercompany_mark(*, company: Organization, customer: Customer | None = None, supplier: Supplier | None = None,
                      by: User | None) -> IntercompanyParty:
    """Mark a customer or supplier of `company` as another company of its group (idempotent)."""
    party = customer or supplier
    if (customer is None) == (supplier is None) or party.organization_id != company.pk:
        raise ValidationError(_("Choose one customer or one supplier of the company."))
    with rls.org_context(company):
        mark, created = IntercompanyParty.objects.get_or_create(
            organization=company, customer=customer, supplier=supplier)
    if created:
        audit_log_record(org=company, actor=by, action="intercompany.marked", target=mark, data={"party": party.name})
    return mark


@transaction.atomic
def intercompany_unmark(*, mark: IntercompanyParty, by: User | None) -> None:
    with rls.org_context(mark.organization_id):
        audit_log_record(org=mark.organization, actor=by, action="intercompany.unmarked", target=mark)
        mark.delete()
