"""Who must use two-factor authentication (allauth.mfa does the enrolment and the check)."""

from django.conf import settings

from accounts.capabilities import Role
from accounts.models import Membership, User


def has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_for(user: User) -> bool:
    """Required where an organization demands it of all members, and (in production) of admins and consultants."""
    memberships = Membership.objects.filter(user=user)  # scoped: the user's own memberships
    if memberships.filter(organization__requires_mfa=True).exists():
        return True
    if settings.MFA_REQUIRED_FOR_PRIVILEGED:
        return memberships.filter(role=Role.ADMIN).exists() or memberships.exclude(engagement=None).exists()
    return False
