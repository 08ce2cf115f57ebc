"""Zoho CRM notifications, for freshness: a notification is a hint that triggers a sync, never data we trust.

Each connection has its own channel (`POST /crm/v8/actions/watch`, events `<module>.all`) whose
`notify_url` carries a signed id of the connection, and whose `token` — derived from SECRET_KEY, never
stored — Zoho echoes in every notification; it is compared in constant time. A channel lasts at most a
week: the sync renews it once it is three days from expiry (the renewal time is remembered in the cache;
losing it costs one extra watch call). A notification queues an incremental sync of its connection; a sync
already queued or running absorbs the burst.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.models import Connection
from integrations.push import connection_from_signed_id, connection_signed_id, connection_sync_on_push

logger = logging.getLogger("integrations.zoho")

SALT = "integrations.zoho.notify"
CHANNEL_LIFETIME = timedelta(days=7)  # Zoho's maximum channel_expiry
RENEW_AHEAD = timedelta(days=3)


def notify_id(connection: Connection) -> str:
    return connection_signed_id(connection, salt=SALT)


def notify_url(connection: Connection) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("zoho_notify", args=[notify_id(connection)])


def channel_token(connection: Connection) -> str:
    """The verification token Zoho echoes back (≤ 50 characters)."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}:{SALT}".encode()).digest()
    return hmac.new(key, f"{connection.organization_id}:{connection.pk}".encode(), hashlib.sha256).hexdigest()[:48]


def watch_body(connection: Connection, *, modules: tuple[str, ...], now=None) -> dict:
    expiry = (now or timezone.now()) + CHANNEL_LIFETIME - timedelta(minutes=5)
    return {"watch": [{"channel_id": connection.pk, "events": [f"{module}.all" for module in modules],
                       "channel_expiry": expiry.replace(microsecond=0).isoformat(),
                       "token": channel_token(connection), "notify_url": notify_url(connection)}]}


def _renewed_key(connection: Connection) -> str:
    return f"integrations:zoho:watch:{connection.pk}"


def zoho_notifications_due(connection: Connection) -> bool:
    return bool(settings.ZOHO_NOTIFICATIONS_ENABLED and settings.SITE_URL) and not cache.get(_renewed_key(connection))


def zoho_notifications_renewed(connection: Connection) -> None:
    cache.set(_renewed_key(connection), True, timeout=int((CHANNEL_LIFETIME - RENEW_AHEAD).total_seconds()))


@csrf_exempt
@require_POST
def zoho_notify(request: HttpRequest, signed_id: str) -> HttpResponse:
    """One Zoho notification (JSON); 404 for an unknown connection, 403 for a wrong token, else 204."""
    connection = connection_from_signed_id(signed_id, salt=SALT, provider="zoho")
    if connection is None:
        return HttpResponse(status=404)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    token = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), channel_token(connection).encode()):
        return HttpResponse(status=403)
    run = connection_sync_on_push(connection)
    if run is None:
        return HttpResponse(status=204)  # paused or needing attention: not woken by Zoho
    logger.info("Zoho notification for connection %s (%s %s): run %s", connection.pk,
                payload.get("module"), payload.get("operation"), run.pk)
    return HttpResponse(status=204)
