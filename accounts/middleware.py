from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import connection, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect

from accounts import rls
from accounts.api_keys import api_key_from_request, api_key_note_use, api_key_principal
from accounts.selectors import membership_in, memberships_of_request

LAST_ORG_SESSION_KEY = "last_org_slug"


class OrganizationMiddleware:
    """Resolves `org_slug` from the URL into `request.org` and `request.membership`.

    No membership (direct or through an engagement) means 404, exactly like a missing
    organization, so a tenant's existence never leaks. It never falls back to a remembered
    organization: the last one visited is kept only for the redirect of `/`.

    On PostgreSQL the request runs in one transaction that carries the user and, once resolved,
    the organization (`accounts.rls`): row-level security then shows that tenant's rows only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        request.membership = None
        if not rls.applies():
            return self.get_response(request)
        outermost = not connection.in_atomic_block  # nested only inside a test's transaction
        with transaction.atomic(savepoint=False):
            rls.request_user_set(request.user.pk if request.user.is_authenticated else None)
            response = self.get_response(request)
            if outermost and response.status_code >= 500:
                transaction.set_rollback(True)  # a failed view writes nothing, as with ATOMIC_REQUESTS
            return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        if request.path.startswith("/api/") and api_key_from_request(request) is not None:
            return self._with_api_key(request, slug)
        if not request.user.is_authenticated:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Authentication credentials were not provided."}, status=403)
            return redirect_to_login(request.get_full_path())
        membership = membership_in(request, slug=slug)
        if membership is None:
            raise Http404("No such organization.")
        request.membership = membership
        request.org = membership.organization
        rls.request_org_set(request.org.pk)
        if request.session.get(LAST_ORG_SESSION_KEY) != slug:
            request.session[LAST_ORG_SESSION_KEY] = slug
        return None

    @staticmethod
    def _with_api_key(request, slug: str):
        """A machine: the key names its organization; any other organization's URL is a 404."""
        principal = api_key_principal(api_key_from_request(request))
        if principal is None:
            return JsonResponse({"detail": "Invalid or revoked API key."}, status=401,
                                headers={"WWW-Authenticate": "Api-Key"})
        if principal.organization.slug != slug:
            raise Http404("No such organization.")
        request.membership, request.org, request.api_key = principal, principal.organization, principal.key
        rls.request_org_set(request.org.pk)
        api_key_note_use(principal.key)
        return None


class MfaRequiredMiddleware:
    """A user whom an organization requires to use MFA reaches no data before enrolling."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/invitations/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or request.path.startswith(self.ALLOWED_PREFIXES):
            return None
        from accounts.mfa import has_mfa, mfa_required_for  # avoid importing allauth models at start-up

        if mfa_required_for(request.user, memberships=memberships_of_request(request)) and not has_mfa(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor authentication must be set up first."}, status=403)
            return redirect("mfa_activate_totp")
        return None


class SessionIdleTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT seconds (absolute lifetime is SESSION_COOKIE_AGE).

    Only a logged-in session is timed: writing the time into an anonymous one would store a session
    row for every anonymous request (crawlers, probes), which nothing needs."""

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY not in request.session:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(self.KEY)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
        # Written at most once a minute, so a page's requests do not rewrite the session each time.
        if last is None or now - last > 60:
            request.session[self.KEY] = now
        return self.get_response(request)


class UserSessionActivityMiddleware:
    """allauth's UserSessionsMiddleware, throttled: the session's row (last seen, IP, browser) is written at
    most once per USERSESSIONS_ACTIVITY_INTERVAL seconds, or at once when the IP or the browser changed
    (allauth's `session_client_changed` still fires then). Without it every request wrote the row: half
    the queries of a page reading materialised values."""

    KEY = "usersession_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.usersessions import app_settings

        if (app_settings.TRACK_ACTIVITY and hasattr(request, "session") and request.session.session_key
                and hasattr(request, "user") and request.user.is_authenticated):
            self._record(request)
        return self.get_response(request)

    def _record(self, request) -> None:
        import hashlib

        from allauth.account.adapter import get_adapter
        from allauth.usersessions.models import UserSession

        client = f"{get_adapter().get_client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
        fingerprint = hashlib.blake2s(client.encode(), digest_size=8).hexdigest()
        now = int(time.time())
        seen = request.session.get(self.KEY)
        if seen and seen[1] == fingerprint and now - seen[0] < settings.USERSESSIONS_ACTIVITY_INTERVAL:
            return
        UserSession.objects.create_from_request(request)
        request.session[self.KEY] = [now, fingerprint]
