from django.utils.functional import SimpleLazyObject

from accounts.navigation import navigation_for
from accounts.selectors import memberships_of
from config.kept_sql import kept_query


def tenancy(request):
    """The org switcher and the navigation of the current organization, for every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "org": getattr(request, "org", None),
        "membership": membership,
        # read only when the page draws the switcher (not an htmx fragment); its SQL compiled once per user
        "my_memberships": SimpleLazyObject(lambda: kept_query(("accounts.memberships_of", user.pk),
                                                              lambda: memberships_of(user))),
        "nav_items": navigation_for(membership) if membership else [],
    }
