"""Secrets at rest: MultiFernet over settings.FIELD_ENCRYPTION_KEYS (newest key first).

Keys live in the environment, never in the database. Adding a key at the front and running
`rotate_encrypted_fields()` re-encrypts every stored value with it; the old key can then go.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first).")
    return MultiFernet([Fernet(k.strip().encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(k for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()))


def encrypt_json(value: dict) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        # The message never carries the token itself.
        raise ImproperlyConfigured("A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from exc


def rotate_token(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def rotate_encrypted_fields() -> int:
    """Re-encrypt every connection's credentials with the newest key; returns the rows rewritten."""
    from django.db import connection as db
    from django.db import transaction

    from integrations.models import Connection

    table = Connection._meta.db_table
    column = Connection._meta.get_field("credentials").column
    rewritten = 0
    with transaction.atomic():
        with db.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")
            rows = cursor.fetchall()
        for pk, token in rows:
            # scoped: key rotation crosses tenants on purpose, like a migration
            Connection.objects.filter(pk=pk).update(credentials=decrypt_json(token))
            rewritten += 1
    return rewritten
