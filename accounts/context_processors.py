from django.utils.functional import SimpleLazyObject

from accounts.navigation import navigation_for
from accounts.selectors import memberships_of_request


def tenancy(request):
    """The org switcher and the navigation of the current organization, for every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "org": getattr(request, "org", None),
        "membership": membership,
        # the list the tenancy middleware already read for this request (no query of its own)
        "my_memberships": SimpleLazyObject(lambda: memberships_of_request(request)),
        "nav_items": navigation_for(membership) if membership else [],
    }
