"""HubSpot webhooks, for freshness: events are hints that trigger a sync, never data we trust.

One public app receives the events of every installed account (`portalId` in each event). Each
request is checked with signature v3: HMAC-SHA256 keyed by the app's client secret over
`method + URI + raw body + timestamp`, base64, compared in constant time; a timestamp older than
five minutes is refused (replays). The connection(s) of that hub then get a sync queued; a sync
already queued or running absorbs the burst.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import rls
from integrations.models import Connection, SyncRun

logger = logging.getLogger("integrations.hubspot")

MAX_AGE_MS = 5 * 60 * 1000


def signature_v3(*, secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """HubSpot's X-HubSpot-Signature-v3 for one request."""
    message = method.encode() + unquote(uri).encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def _verified(request: HttpRequest) -> bool:
    timestamp = request.headers.get("X-HubSpot-Request-Timestamp", "")
    signature = request.headers.get("X-HubSpot-Signature-v3", "")
    if not timestamp.isdigit() or not signature or not settings.HUBSPOT_CLIENT_SECRET:
        return False
    if abs(time.time() * 1000 - int(timestamp)) > MAX_AGE_MS:
        return False
    # The URI HubSpot called: the public site URL (as registered in the app), not what a proxy rewrote.
    uri = settings.SITE_URL.rstrip("/") + request.get_full_path()
    expected = signature_v3(secret=settings.HUBSPOT_CLIENT_SECRET, method=request.method, uri=uri,
                            body=request.body, timestamp=timestamp)
    return hmac.compare_digest(expected, signature)


def hubspot_hubs_sync_enqueue(*, hub_ids: set[str]) -> list[SyncRun]:
    """Queue a sync of every active HubSpot connection to these hubs (a live run is reused)."""
    from integrations.services import sync_run_enqueue

    runs = []
    # A webhook names a hub, not a tenant: every tenant connected to that hub is synced, each in its own context.
    for connection_id, org_id in rls.hubspot_connections(hub_ids):
        with rls.org_context(org_id):
            connection = Connection.objects.filter(  # scoped: in its own tenant's context
                organization_id=org_id, pk=connection_id, status__in=Connection.SYNCING).first()
            if connection is not None:
                runs.append(sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.SCHEDULE))
    return runs


@csrf_exempt
@require_POST
def hubspot_webhook(request: HttpRequest) -> HttpResponse:
    """HubSpot's event batches (a JSON array); 401 unless signed, 204 once the syncs are queued."""
    if not _verified(request):
        return HttpResponse(status=401)
    try:
        events = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(events, list):
        return HttpResponse(status=400)
    hub_ids = {str(e.get("portalId")) for e in events if isinstance(e, dict) and e.get("portalId")}
    runs = hubspot_hubs_sync_enqueue(hub_ids=hub_ids)
    logger.info("HubSpot webhook: %s events for %s hubs, %s syncs queued", len(events), len(hub_ids), len(runs))
    return HttpResponse(status=204)
