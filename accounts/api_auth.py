"""How a machine authenticates to the API: its key, checked by the tenancy middleware, and its rate.

Kept apart from api_base: DRF imports these classes while it loads its views, so they must not
import DRF's viewsets.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, throttling


class ApiKeyUser(AnonymousUser):
    """`request.user` of a request made with an API key: authenticated, but nobody's account."""

    @property
    def is_authenticated(self) -> bool:
        return True


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """The key was checked by the tenancy middleware (it names the organization); DRF only learns of it."""

    def authenticate(self, request):
        key = getattr(request._request, "api_key", None)
        return (ApiKeyUser(), key) if key is not None else None

    def authenticate_header(self, request) -> str:
        return "Api-Key"


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Requests per API key (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"]`); people are not throttled here."""

    scope = "api_key"

    def timer(self) -> float:
        # DRF's `timer = time.time` is bound when DRF is imported; under a frozen clock that is a plain function
        # called with `self`. Read the clock at call time instead.
        return time.time()

    def get_cache_key(self, request, view):
        key = getattr(request._request, "api_key", None)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.prefix}
