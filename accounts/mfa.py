"""Who must use two-factor authentication (allauth.mfa does the enrolment and the check)."""

from django.conf import settings

from accounts.capabilities import Role
from accounts.models import Membership, User


def has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_for(user: User, *, memberships: list[Membership] | None = None) -> bool:
    """Required where an organization demands it of all members, and (in production) of admins and consultants.

    `memberships`: the user's memberships with their organizations when the caller has them already (the
    middleware's, read once per request); otherwise they are read here."""
    if memberships is None:
        memberships = list(Membership.objects.filter(user=user).select_related("organization"))  # scoped: own
    if any(m.organization.requires_mfa for m in memberships):
        return True
    if settings.MFA_REQUIRED_FOR_PRIVILEGED:
        return any(m.role == Role.ADMIN or m.engagement_id is not None for m in memberships)
    return False
