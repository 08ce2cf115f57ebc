"""Writes about organizations, members, invitations and engagements. Each one is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import rls
from accounts.audit import audit_log_record
from accounts.capabilities import Role, role_within
from accounts.events import organization_created
from accounts.models import Engagement, Invitation, Membership, Organization, User


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def clean_packs(packs: list[str] | None) -> list[str]:
    """The packs in their canonical order, "general" always first (None: every pack); an unknown pack is refused."""
    chosen = set(Organization.Pack.values if packs is None else packs)
    unknown = chosen - set(Organization.Pack.values)
    if unknown:
        raise ValidationError(_("Unknown catalogue pack: %(packs)s.") % {"packs": ", ".join(sorted(unknown))})
    return [p for p in Organization.Pack.values if p == Organization.Pack.GENERAL or p in chosen]


@transaction.atomic
def organization_create(
    *, name: str, kind: str = Organization.Kind.COMPANY, owner: User | None = None, trade: str = "",
    slug: str | None = None, fiscal_year_start_month: int = 1, packs: list[str] | None = None,
) -> Organization:
    """Create a tenant; its creator becomes its CEO. A company gets its KPI catalogue (the packs of its
    trade) in the same transaction, through the `organization_created` announcement."""
    org = Organization.objects.create(
        name=name, kind=kind, trade=trade, slug=slug or _unique_slug(name),
        fiscal_year_start_month=fiscal_year_start_month, packs=clean_packs(packs),
    )
    organization_created.send(sender=Organization, org=org)
    if owner is not None:
        with rls.org_context(org):
            Membership.objects.create(organization=org, user=owner, role=Role.CEO)
        audit_log_record(org=org, actor=owner, action="organization.created", target=org)
    return org


@transaction.atomic
def user_email_language_set(*, user: User, language: str) -> None:
    """The language of every e-mail this person receives (alerts, digests, reports, review packs)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose English or French.")})
    user.language = language
    user.save(update_fields=["language"])


def email_language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def membership_add(*, org: Organization, user: User, role: str, by: User | None, ip: str | None = None) -> Membership:
    if Membership.objects.for_org(org).filter(user=user).exists():
        raise ValidationError(_("%(email)s is already a member of %(org)s.") % {"email": user.email, "org": org})
    _ensure_within_own_role(org, by, role)
    membership = Membership.objects.create(organization=org, user=user, role=role)
    audit_log_record(org=org, actor=by, action="membership.created", target=membership,
                     data={"email": user.email, "role": role}, ip=ip)
    return membership


def _acting_role(org: Organization, by: User | None) -> str | None:
    """The role `by` acts in at `org`; None for the system itself (the demo, a management command)."""
    if by is None:
        return None
    membership = Membership.objects.for_org(org).filter(user=by).only("role").first()
    if membership is None:
        raise ValidationError(_("You are not a member of %(org)s.") % {"org": org})
    return membership.role


def _ensure_within_own_role(org: Organization, by: User | None, *roles: str) -> None:
    """Nobody grants, changes or removes a role above their own (accounts.capabilities.role_within)."""
    own = _acting_role(org, by)
    if own is None:
        return
    for role in roles:
        if not role_within(role, own):
            raise ValidationError(
                _("You cannot grant, change or remove the role %(role)s: it is not within yours (%(own)s).")
                % {"role": Role(role).label, "own": Role(own).label}
            )


def _ensure_a_ceo_remains(membership: Membership) -> None:
    others = Membership.objects.for_org(membership.organization).filter(role=Role.CEO, engagement=None)
    if membership.role == Role.CEO and not others.exclude(pk=membership.pk).exists():
        raise ValidationError(_("An organization keeps at least one CEO: name another CEO first."))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User, ip: str | None = None) -> Membership:
    if membership.is_consultant:
        raise ValidationError(_("A consultant's role is set on the engagement, by their consultancy."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if membership.user_id == by.pk:
        raise ValidationError(_("You cannot change your own role: ask another member who may."))
    _ensure_within_own_role(membership.organization, by, membership.role, role)
    if role != Role.CEO:
        _ensure_a_ceo_remains(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log_record(org=membership.organization, actor=by, action="membership.role_changed",
                     target=membership, data={"email": membership.user.email, "from": before, "to": role}, ip=ip)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User, ip: str | None = None) -> None:
    if membership.user_id != by.pk:  # leaving is always allowed (the last CEO excepted)
        _ensure_within_own_role(membership.organization, by, membership.role)
    _ensure_a_ceo_remains(membership)
    org = membership.organization
    audit_log_record(org=org, actor=by, action="membership.removed", target=membership,
                     data={"email": membership.user.email, "role": membership.role}, ip=ip)
    # An engagement's membership goes with its engagement, so the consultancy's record stays true.
    if membership.engagement_id:
        membership.engagement.delete()
        return
    # A consultant leaving the firm loses the memberships their engagements gave, in each client's tenant.
    for engagement in Engagement.objects.filter(consultant=membership):  # scoped: the leaving consultant's own
        with rls.org_context(engagement.organization_id):
            Membership.objects.filter(engagement=engagement).delete()  # scoped: that engagement's membership
    membership.delete()


@transaction.atomic
def invitation_create(*, org: Organization, email: str, role: str, by: User, ip: str | None = None) -> Invitation:
    """Invite someone by e-mail with a role; the mail carries a single-use link valid 14 days."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    _ensure_within_own_role(org, by, role)
    if Membership.objects.for_org(org).filter(user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member of %(org)s.") % {"email": email, "org": org})
    if Invitation.objects.for_org(org).filter(email__iexact=email, accepted_at=None, revoked_at=None,
                                              expires_at__gt=timezone.now()).exists():
        raise ValidationError(_("An invitation to %(email)s is already pending.") % {"email": email})
    invitation = Invitation.objects.create(organization=org, email=email, role=role, invited_by=by)
    audit_log_record(org=org, actor=by, action="invitation.created", target=invitation,
                     data={"email": email, "role": role}, ip=ip)
    link = settings.SITE_URL + reverse("invitations:accept", args=[invitation.token])
    context = {"org": org, "invitation": invitation, "link": link, "inviter": by}
    transaction.on_commit(lambda: send_mail(
        subject=_("You are invited to %(org)s on Pilotage") % {"org": org.name},
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None, recipient_list=[email],
    ))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User, ip: str | None = None) -> Invitation:
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer pending."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log_record(org=invitation.organization, actor=by, action="invitation.revoked", target=invitation,
                     data={"email": invitation.email}, ip=ip)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, ip: str | None = None) -> Membership:
    """Turn a pending invitation into a membership for the invited address, exactly once."""
    with rls.org_context(invitation.organization_id):  # the link is outside any tenant's pages
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)  # scoped: row in hand
        if not invitation.is_pending:
            raise ValidationError(_("This invitation has expired, was revoked or was already used."))
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation is for %(email)s; you are signed in as %(me)s.")
                % {"email": invitation.email, "me": user.email}
            )
        org = invitation.organization
        try:
            with transaction.atomic():
                membership = Membership.objects.create(organization=org, user=user, role=invitation.role)
        except IntegrityError as exc:
            raise ValidationError(_("You are already a member of %(org)s.") % {"org": org}) from exc
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_log_record(org=org, actor=user, action="invitation.accepted", target=membership,
                         data={"email": user.email, "role": invitation.role}, ip=ip)
        return membership


@transaction.atomic
def engagement_create(
    *, client: Organization, consultant: Membership, role: str, by: User | None, ip: str | None = None,
    max_role: str = "",
) -> Engagement:
    """Ask for a consultancy's consultant to reach a client company with a role.

    The client company decides how far an engagement may go: until its CEO or Admin approves (or sets a
    ceiling at or above `role`), the engagement is pending and gives no access. `max_role` is for the one
    case where the consultancy itself creates the client company (client_company_create).
    """
    with rls.org_context(client):  # the consultancy writes in its client's tenant
        consultancy = consultant.organization
        if not consultancy.is_consultancy or client.is_consultancy:
            raise ValidationError(_("An engagement links a consultancy's consultant to a client company."))
        if role not in Role.values:
            raise ValidationError(_("Unknown role."))
        _ensure_within_own_role(consultancy, by, role)
        if Membership.objects.for_org(client).filter(user=consultant.user).exists() or \
                Engagement.objects.for_org(client).filter(consultant=consultant).exists():
            raise ValidationError(_("%(email)s already reaches %(org)s.") % {"email": consultant.user.email,
                                                                               "org": client})
        engagement = Engagement.objects.create(organization=client, consultancy=consultancy,
                                               consultant=consultant, role=role, max_role=max_role)
        if not engagement.is_pending:
            Membership.objects.create(organization=client, user=consultant.user, role=role, engagement=engagement)
        data = {"consultant": consultant.user.email, "consultancy": consultancy.name, "role": role,
                "pending": engagement.is_pending}
        for org in (client, consultancy):
            audit_log_record(org=org, actor=by, action="engagement.created", target=engagement, data=data, ip=ip)
        return engagement


def _engagement_audit(engagement: Engagement, *, action: str, by: User | None, ip: str | None, **data) -> None:
    data = {"consultant": engagement.consultant.user.email, **data}
    for org in (engagement.organization, engagement.consultancy):
        audit_log_record(org=org, actor=by, action=action, target=engagement, data=data, ip=ip)


def _engagement_grant(engagement: Engagement) -> None:
    """Give the consultant the engagement's role at the client (creating the access on first approval)."""
    with rls.org_context(engagement.organization_id):  # the client's membership, whoever acts
        updated = Membership.objects.filter(engagement=engagement).update(role=engagement.role)  # scoped: its own row
        if not updated:
            Membership.objects.create(organization=engagement.organization, user=engagement.consultant.user,
                                      role=engagement.role, engagement=engagement)


@transaction.atomic
def engagement_change_role(*, engagement: Engagement, role: str, by: User | None, ip: str | None = None) -> Engagement:
    """The consultancy changes the role it asks for; above the client's ceiling it waits for the client."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    _ensure_within_own_role(engagement.consultancy, by, engagement.role, role)
    before = engagement.role
    engagement.role = role
    with rls.org_context(engagement.organization_id):  # the consultancy writes in its client's tenant
        engagement.save(update_fields=["role"])
    if not engagement.is_pending:
        _engagement_grant(engagement)
    _engagement_audit(engagement, action="engagement.role_changed", by=by, ip=ip, **{
        "from": before, "to": role, "pending": engagement.is_pending})
    return engagement


@transaction.atomic
def engagement_set_ceiling(*, engagement: Engagement, max_role: str, by: User | None,
                           ip: str | None = None) -> Engagement:
    """The client company sets the highest role this engagement may carry, within its own member's role.

    An engagement asking for no more is granted at once; one asking for more is brought down to the ceiling.
    """
    if max_role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if by is not None and by.pk == engagement.consultant.user_id:
        raise ValidationError(_("Your own engagement is approved by another member of the company."))
    current = Membership.objects.filter(engagement=engagement).values_list("role", flat=True).first()  # scoped
    _ensure_within_own_role(engagement.organization, by, max_role, *([current] if current else []))
    before = engagement.max_role
    engagement.max_role = max_role
    if not role_within(engagement.role, max_role):
        engagement.role = max_role
    engagement.save(update_fields=["max_role", "role"])
    _engagement_grant(engagement)
    _engagement_audit(engagement, action="engagement.ceiling_set", by=by, ip=ip, **{
        "from": before, "to": max_role, "role": engagement.role})
    return engagement


def engagement_approve(*, engagement: Engagement, by: User | None, ip: str | None = None) -> Engagement:
    """The client company approves the role the engagement asks for (it becomes its ceiling)."""
    return engagement_set_ceiling(engagement=engagement, max_role=engagement.role, by=by, ip=ip)


@transaction.atomic
def engagement_refuse(*, engagement: Engagement, by: User | None, ip: str | None = None) -> Engagement | None:
    """The client company refuses what a pending engagement asks for: a new one is withdrawn, a raise is
    undone (the consultant keeps the role approved before)."""
    if not engagement.is_pending:
        raise ValidationError(_("This engagement is not waiting for approval."))
    _acting_role(engagement.organization, by)  # a member of the client company, whatever their rank
    asked = engagement.role
    current = Membership.objects.filter(engagement=engagement).values_list("role", flat=True).first()  # scoped
    _engagement_audit(engagement, action="engagement.refused", by=by, ip=ip, role=asked)
    if current is None:
        engagement.delete()
        return None
    engagement.role = current
    engagement.save(update_fields=["role"])
    return engagement


@transaction.atomic
def engagement_end(*, engagement: Engagement, by: User, ip: str | None = None) -> None:
    """End an engagement: the consultant loses access to the client at once."""
    data = {"consultant": engagement.consultant.user.email, "consultancy": engagement.consultancy.name,
            "client": engagement.organization.name}
    for org in (engagement.organization, engagement.consultancy):
        audit_log_record(org=org, actor=by, action="engagement.ended", target=engagement, data=data, ip=ip)
    with rls.org_context(engagement.organization_id):  # the client's membership goes with the engagement
        engagement.delete()


@transaction.atomic
def organization_packs_set(*, org: Organization, packs: list[str], by: User | None) -> tuple[list[str], list[str]]:
    """Store the company's catalogue packs; returns (packs added, packs removed). The KPI catalogue
    follows through `kpis.services.catalogue_packs_change`, which calls this."""
    packs = clean_packs(packs)
    before = list(org.packs or [])
    org.packs = packs
    org.save(update_fields=["packs"])
    added = [p for p in packs if p not in before]
    removed = [p for p in before if p not in packs]
    if added or removed:
        audit_log_record(org=org, actor=by, action="organization.packs_changed", target=org,
                         data={"from": before, "to": packs})
    return added, removed


@transaction.atomic
def client_company_create(*, consultant: Membership, name: str, trade: str = "", role: str = Role.COO,
                          packs: list[str] | None = None) -> Organization:
    """A consultancy onboards a new client company, with its catalogue; the consultant is engaged on it."""
    client = organization_create(name=name, trade=trade, packs=packs)
    # Nobody else is in the new company to approve: its ceiling is the role asked for (within the asker's own).
    engagement_create(client=client, consultant=consultant, role=role, by=consultant.user, max_role=role)
    return client
