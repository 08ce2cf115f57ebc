"""What every provider's push path shares (Zoho notifications, Salesforce outbound messages): a callback URL
that names its connection by a signed (organization, connection) pair — so no cross-tenant lookup is needed —
and a hint that queues an incremental sync of that connection, never data we trust.

HubSpot's webhooks name the portal instead (one app URL for every account) and keep their own lookup.
"""

from __future__ import annotations

from django.core import signing

from accounts import rls
from integrations.models import Connection, SyncRun


def connection_signed_id(connection: Connection, *, salt: str) -> str:
    """The signed (organization, connection) pair of a callback URL. No timestamp: the URL stays the same
    for the life of the connection."""
    return signing.Signer(salt=salt).sign_object([connection.organization_id, connection.pk], compress=True)


def connection_from_signed_id(signed: str, *, salt: str, provider: str) -> Connection | None:
    """The connection a callback URL names, or None for a forged or stale one."""
    try:
        org_id, connection_id = signing.Signer(salt=salt).unsign_object(signed)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    with rls.org_context(org_id):
        return Connection.objects.filter(  # scoped: the signed id names the tenant
            organization_id=org_id, pk=connection_id, provider=provider).first()


def connection_sync_on_push(connection: Connection) -> SyncRun | None:
    """Queue an incremental sync for a provider's hint; a paused or failing connection is not woken (None).
    A sync already queued or running absorbs a burst."""
    from integrations.services import sync_run_enqueue

    if connection.status not in Connection.SYNCING:
        return None
    with rls.org_context(connection.organization_id):
        return sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.SCHEDULE)
