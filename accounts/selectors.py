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


def memberships_of_request(request) -> list[Membership]:
    """The signed-in user's memberships with their organizations, read once per request; 1 query.

    Every page asks the same question three times (which membership the URL's organization is, whether any
    organization requires MFA, what the switcher lists): they all read this one list, memoised on the
    request, so the fixed cost of a page does not grow with the places that ask nor with the memberships.
    """
    memberships = getattr(request, "_pilotage_memberships", None)
    if memberships is None:
        from config.kept_sql import kept_query

        user = request.user
        memberships = kept_query(("accounts.memberships_of", user.pk), lambda: memberships_of(user))
        for membership in memberships:
            membership.user = user  # the same row as request.user: no join, and no query when a page reads it
        request._pilotage_memberships = memberships
    return memberships


def membership_in(request, *, slug: str) -> Membership | None:
    """The signed-in user's membership in the organization with this slug, or None (unknown and foreign look
    alike); no query beyond `memberships_of_request`."""
    if not request.user.is_authenticated:
        return None
    return next((m for m in memberships_of_request(request) if m.organization.slug == slug), None)


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
