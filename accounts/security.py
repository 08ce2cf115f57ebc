"""Who is trying to sign in, and from where: the one answer both login protections use.

django-axes and allauth's `login_failed` limit both key on (username, IP) (README, Security), so
both must see the same username and the same client address. The address is REMOTE_ADDR unless
TRUSTED_PROXY_COUNT proxies in front of the app append to X-Forwarded-For; then it is the entry
the outermost trusted proxy wrote, which a client cannot forge by sending its own header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as seen by the outermost trusted proxy (or the socket, with none)."""
    count = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR")
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        # Each trusted proxy appends the address it received from; the last `count` entries are theirs.
        candidate = hops[-count] if len(hops) >= count else None
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The login being tried, lower-cased (allauth matches e-mails case-insensitively).

    allauth authenticates with `email=`, never `login=`: reading the form field alone gave axes an
    empty username, so every failure locked the whole address.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = getattr(request, "POST", {}).get("login")
    return str(value).strip().lower() if value else None
