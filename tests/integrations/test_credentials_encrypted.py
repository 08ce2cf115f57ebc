import pytest
from cryptography.fernet import Fernet
from django.db import connection as db

from integrations.crypto import rotate_encrypted_fields
from integrations.models import Connection
from tests.integrations.conftest import make_connection

pytestmark = pytest.mark.django_db

SECRET = "pl-live-0123456789abcdef"


def _raw_column(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {Connection._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_database_column_never_holds_the_plaintext_token(acme):
    connection = make_connection(acme, token=SECRET)

    raw = _raw_column(connection.pk)

    assert SECRET not in raw and "pl-live" not in raw
    assert Connection.objects.for_org(acme).get().credentials == {"token": SECRET}


def test_rotation_re_encrypts_with_the_newest_key_and_the_old_key_can_then_go(acme, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    connection = make_connection(acme, token=SECRET)
    before = _raw_column(connection.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert rotate_encrypted_fields() == 1

    after = _raw_column(connection.pk)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Connection.objects.for_org(acme).get().credentials == {"token": SECRET}
    assert SECRET not in after
