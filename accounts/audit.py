"""The audit log writer every app calls when something worth tracing happens."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts import rls
from accounts.models import AuditEvent, Organization, User


def audit_log_record(
    *,
    org: Organization,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the organization's audit log; `data` holds the before/after values.

    Written in that organization's context: an engagement is logged on both sides."""
    with rls.org_context(org):
        return AuditEvent.objects.create(
            organization=org,
            actor=actor,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk)[:64] if target is not None else "",  # an API key's pk is its prefix and hash
            target_repr=str(target)[:255] if target is not None else "",
            data=data or {},
            ip_address=ip,
        )
