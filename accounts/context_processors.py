from accounts.navigation import navigation_for
from accounts.selectors import memberships_of


def tenancy(request):
    """The org switcher and the navigation of the current organization, for every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "org": getattr(request, "org", None),
        "membership": membership,
        "my_memberships": memberships_of(user),
        "nav_items": navigation_for(membership) if membership else [],
    }
