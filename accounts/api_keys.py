"""API keys for machines: create (shown once), revoke, and the principal a request acts as.

A key belongs to one organization; it reads what its role may read (a role no higher than its
creator's) and pushes records only when it may write. The secret is hashed at rest by
djangorestframework-api-key (SHA-512 of a 256-bit random key) and never shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rls
from accounts.audit import audit_log_record
from accounts.capabilities import CAPABILITIES, Role, role_can
from accounts.models import ApiKey, Membership, Organization

# What a key may do, whatever its role: read, and push records when it may write. Never manage people,
# integrations or keys.
KEY_READ_CAPABILITIES = frozenset(
    cap for caps in CAPABILITIES.values() for cap in caps if cap.endswith((".view", ".view_costs", ".view_operational_costs"))
    and cap not in {"members.view", "audit.view"}
)
KEY_WRITE_CAPABILITIES = frozenset({"imports.manage"})
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """What `request.membership` is for a request made with an API key."""

    key: ApiKey

    @property
    def organization(self) -> Organization:
        return self.key.organization

    @property
    def organization_id(self) -> int:
        return self.key.organization_id

    @property
    def role(self) -> str:
        return self.key.role

    user = None
    is_consultant = False
    pk = None

    def can(self, capability: str) -> bool:
        if capability in KEY_WRITE_CAPABILITIES:
            return self.key.can_write
        return capability in KEY_READ_CAPABILITIES and role_can(self.key.role, capability)

    def get_role_display(self) -> str:
        return str(Role(self.key.role).label)

    def __str__(self) -> str:
        return f"API key {self.key.name}"


@transaction.atomic
def api_key_create(*, org: Organization, by: Membership, name: str, role: str, can_write: bool) -> tuple[ApiKey, str]:
    """A new key; the returned secret is the only time anyone sees it."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the key a name that says which tool uses it."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if not _within(role, by.role):
        raise ValidationError(_("A key cannot read more than your own role."))
    key, secret = ApiKey.objects.create_key(organization=org, name=name[:50], role=role, can_write=can_write,
                                            created_by=by)
    audit_log_record(org=org, actor=by.user, action="api_key.created", target=key,
                     data={"name": key.name, "role": role, "can_write": can_write, "prefix": key.prefix})
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by: Membership) -> ApiKey:
    if not key.revoked:
        key.revoked = True
        key.save(update_fields=["revoked"])
        audit_log_record(org=key.organization, actor=by.user, action="api_key.revoked", target=key,
                         data={"name": key.name, "prefix": key.prefix})
    return key


def api_key_principal(secret: str) -> ApiKeyPrincipal | None:
    """The principal of a usable key, or None."""
    # A key is looked up by its prefix before any organization is known: it names its organization.
    prefix, _dot, _rest = secret.partition(".")
    with rls.api_key_prefix_context(prefix):
        key = ApiKey.objects.select_related("organization").filter(prefix=prefix, revoked=False).first()
    if key is None or key.has_expired or not key.is_valid(secret):
        return None
    return ApiKeyPrincipal(key=key)


def api_key_note_use(key: ApiKey) -> None:
    """Remember when a key was last used (at most once a minute), in its organization's context."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.for_org(key.organization).filter(pk=key.pk).update(last_used_at=now)


def _within(role: str, creator_role: str) -> bool:
    """A key's capabilities must be a subset of its creator's."""
    return CAPABILITIES[role] & KEY_READ_CAPABILITIES <= CAPABILITIES[creator_role]


API_KEY_HEADER_PREFIX = "Api-Key "


def api_key_from_request(request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[len(API_KEY_HEADER_PREFIX):].strip() if header.startswith(API_KEY_HEADER_PREFIX) else None
