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
from accounts.capabilities import Role
from accounts.models import Engagement, Invitation, Membership, Organization, User


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(
    *, name: str, kind: str = Organization.Kind.COMPANY, owner: User | None = None, trade: str = "",
    slug: str | None = None, fiscal_year_start_month: int = 1,
) -> Organization:
    """Create a tenant; its creator becomes its CEO."""
    org = Organization.objects.create(
        name=name, kind=kind, trade=trade, slug=slug or _unique_slug(name),
        fiscal_year_start_month=fiscal_year_start_month,
    )
    if owner is not None:
        with rls.org_context(org):
            Membership.objects.create(organization=org, user=owner, role=Role.CEO)
        audit_log_record(org=org, actor=owner, action="organization.created", target=org)
    return org


@transaction.atomic
def membership_add(*, org: Organization, user: User, role: str, by: User | None, ip: str | None = None) -> Membership:
    if Membership.objects.for_org(org).filter(user=user).exists():
        raise ValidationError(_("%(email)s is already a member of %(org)s.") % {"email": user.email, "org": org})
    membership = Membership.objects.create(organization=org, user=user, role=role)
    audit_log_record(org=org, actor=by, action="membership.created", target=membership,
                     data={"email": user.email, "role": role}, ip=ip)
    return membership


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
    *, client: Organization, consultant: Membership, role: str, by: User, ip: str | None = None
) -> Engagement:
    """Give a consultancy's consultant access to a client company with a role."""
    with rls.org_context(client):  # the consultancy writes in its client's tenant
        consultancy = consultant.organization
        if not consultancy.is_consultancy or client.is_consultancy:
            raise ValidationError(_("An engagement links a consultancy's consultant to a client company."))
        if Membership.objects.for_org(client).filter(user=consultant.user).exists():
            raise ValidationError(_("%(email)s already reaches %(org)s.") % {"email": consultant.user.email,
                                                                               "org": client})
        engagement = Engagement.objects.create(organization=client, consultancy=consultancy,
                                               consultant=consultant, role=role)
        Membership.objects.create(organization=client, user=consultant.user, role=role, engagement=engagement)
        data = {"consultant": consultant.user.email, "consultancy": consultancy.name, "role": role}
        for org in (client, consultancy):
            audit_log_record(org=org, actor=by, action="engagement.created", target=engagement, data=data, ip=ip)
        return engagement


@transaction.atomic
def engagement_change_role(*, engagement: Engagement, role: str, by: User, ip: str | None = None) -> Engagement:
    before = engagement.role
    data = {"consultant": engagement.consultant.user.email, "from": before, "to": role}
    with rls.org_context(engagement.organization_id):  # the client's membership follows the engagement
        engagement.role = role
        engagement.save(update_fields=["role"])
        Membership.objects.filter(engagement=engagement).update(role=role)  # scoped: the engagement's own row
    for org in (engagement.organization, engagement.consultancy):
        audit_log_record(org=org, actor=by, action="engagement.role_changed", target=engagement, data=data, ip=ip)
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
def client_company_create(*, consultant: Membership, name: str, trade: str = "", role: str = Role.COO) -> Organization:
    """A consultancy onboards a new client company; the consultant is engaged on it."""
    client = Organization.objects.create(name=name, trade=trade, slug=_unique_slug(name))
    engagement_create(client=client, consultant=consultant, role=role, by=consultant.user)
    return client
