"""Salesforce outbound messages, for freshness: a message is a hint that triggers a sync, never data we trust.

The org's admin points a workflow rule's (or flow's) outbound message at this connection's endpoint URL,
which carries a signed id of the connection (shown on the connection's page). Salesforce POSTs SOAP XML
(`notifications` with `OrganizationId` and up to 100 `Notification`s) and resends until it reads
`<Ack>true</Ack>`. The message's `OrganizationId` must be the connected org's; then an incremental sync
of that connection is queued (a sync already queued or running absorbs the burst) and the message is
acknowledged. A forged or foreign message is refused and never acknowledged.
"""

from __future__ import annotations

import hmac
import logging

from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.models import Connection
from integrations.push import connection_from_signed_id, connection_signed_id, connection_sync_on_push

logger = logging.getLogger("integrations.salesforce")

SALT = "integrations.salesforce.outbound"
OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
ACK = (b'<?xml version="1.0" encoding="UTF-8"?>'
       b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
       b'<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
       b'</notificationsResponse></soapenv:Body></soapenv:Envelope>')


def outbound_id(connection: Connection) -> str:
    return connection_signed_id(connection, salt=SALT)


def outbound_url(connection: Connection) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("salesforce_outbound_message", args=[outbound_id(connection)])


def _org_id_15(org_id: str) -> str:
    """Salesforce ids come as 15 (case-sensitive) or 18 characters (plus a checksum): compare the 15."""
    return (org_id or "").strip()[:15]


def message_org_id(body: bytes) -> str | None:
    """The OrganizationId of an outbound message, or None when the body is not one."""
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):  # not XML, or entities/DTDs refused
        return None
    found = root.find(f".//{{{OUTBOUND_NS}}}notifications/{{{OUTBOUND_NS}}}OrganizationId")
    return (found.text or "").strip() if found is not None else None


@csrf_exempt
@require_POST
def salesforce_outbound_message(request: HttpRequest, signed_id: str) -> HttpResponse:
    """One outbound message; 404 for an unknown connection, 403 for another org's message, else the Ack."""
    connection = connection_from_signed_id(signed_id, salt=SALT, provider="salesforce")
    if connection is None:
        return HttpResponse(status=404)
    sender = message_org_id(request.body)
    if sender is None:
        return HttpResponse(status=400)
    expected = _org_id_15(connection.provider_account_id)
    if not expected or not hmac.compare_digest(_org_id_15(sender).encode(), expected.encode()):
        return HttpResponse(status=403)
    run = connection_sync_on_push(connection)  # a paused connection is not woken, but the message is acknowledged
    if run is not None:
        logger.info("Salesforce outbound message for connection %s: run %s", connection.pk, run.pk)
    return HttpResponse(ACK, content_type="text/xml; charset=utf-8")
