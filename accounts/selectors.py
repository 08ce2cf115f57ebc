"""Reads about who reaches what."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import AuditEvent, Engagement, Invitation, Membership, Organization, User


def memberships_of(user: User) -> QuerySet[Membership]:
    """Every organization the user reaches, directly or through an engagement; 1 query."""
    return (
        Membership.objects.filter(user=user)  # scoped: a user's own memberships across tenants
        .select_related("organization")
        .order_by("-organization__kind", "organization__name")  # consultancy first: its portfolio is home
    )


def membership_for(user: User, *, slug: str) -> Membership | None:
    """The user's membership in the organization with this slug, or None (unknown and foreign look alike)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organization__slug=slug)  # scoped: by the user in hand
        .select_related("organization", "user")
        .first()
    )


def members_of(org: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.for_org(org)
        .select_related("user", "engagement__consultancy")
        .order_by("engagement_id", "user__email")
    )


def pending_invitations_of(org: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.for_org(org).filter(accepted_at=None, revoked_at=None).select_related("invited_by")


def audit_events_of(org: Organization) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_org(org).select_related("actor")


def engagements_of_consultancy(consultancy: Organization) -> QuerySet[Engagement]:
    """The consultancy's engagements on its clients; crosses tenants by design (the consultancy's own view)."""
    return (
        Engagement.objects.filter(consultancy=consultancy)  # scoped: engagements the consultancy made
        .select_related("organization", "consultant__user")
        .order_by("organization__name", "consultant__user__email")
    )


def engagements_of_client(client: Organization) -> QuerySet[Engagement]:
    """The engagements consultancies hold (or ask for) on this company, pending ones first."""
    return (
        Engagement.objects.for_org(client)
        .select_related("consultancy", "consultant__user")
        .order_by("consultancy__name", "consultant__user__email")
    )


def consultants_of(consultancy: Organization) -> QuerySet[Membership]:
    return Membership.objects.for_org(consultancy).filter(engagement=None).select_related("user")


def api_keys_of(org: Organization):
    """The organization's API keys, newest first, with who created them; 1 query."""
    from accounts.models import ApiKey

    return ApiKey.objects.for_org(org).select_related("created_by__user").order_by("revoked", "-created")
