from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.capabilities import ALL_CAPABILITIES


def require_capability(capability: str):
    """The view needs this capability in `request.org`; the role test reads `required_capability`."""
    if capability not in ALL_CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}: add it to accounts/capabilities.py")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None or not membership.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
