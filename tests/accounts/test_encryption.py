"""PII columns are pgp_sym encrypted at rest; uniqueness lives on the keyed blind index."""

import pytest
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.blind_index import email_blind_index
from accounts.models import User
from accounts.services import EmailAlreadyRegistered, user_create
from tests.factories import UserFactory


def raw_row(user_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, full_name, phone, email_hash FROM accounts_user WHERE id = %s",
            [user_id],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_pii_columns_hold_no_plaintext():
    user = user_create(
        email="secret.person@example.com",
        password="Quiet-Lantern-93",
        full_name="Secret Person",
        phone="+442079460958",
    )

    email, full_name, phone, email_hash = raw_row(user.pk)

    for column, plaintext in [
        (email, "secret.person@example.com"),
        (full_name, "Secret Person"),
        (phone, "+442079460958"),
    ]:
        data = bytes(column)
        assert plaintext.encode() not in data
        assert b"secret" not in data.lower()
        # OpenPGP symmetric-key message: new-format packet tag 3 (0xC3) comes first.
        assert data[0] == 0xC3
    assert email_hash == email_blind_index("secret.person@example.com")
    assert "secret" not in email_hash


@pytest.mark.django_db
def test_columns_decrypt_with_the_key():
    user = UserFactory(full_name="Decrypt Me")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgp_sym_decrypt(full_name, %s) FROM accounts_user WHERE id = %s",
            [settings.PGCRYPTO_KEY, user.pk],
        )
        assert cursor.fetchone()[0] == "Decrypt Me"


@pytest.mark.django_db
def test_values_use_aes256_and_salted_s2k_without_stretching():
    user = UserFactory()
    email, full_name, phone, _ = raw_row(user.pk)
    for column in (email, full_name, phone):
        data = bytes(column)
        # Tag-3 packet body: version 4, cipher 9 (AES-256), S2K type 1 (salted, not iterated).
        assert data[0] == 0xC3
        assert data[2:5] == bytes([4, 9, 1])


@pytest.mark.django_db
def test_values_written_with_pgcrypto_defaults_still_read():
    user = UserFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET full_name = pgp_sym_encrypt('Old Format', %s) WHERE id = %s",
            [settings.PGCRYPTO_KEY, user.pk],
        )
        cursor.execute("SELECT substr(full_name, 5, 1) FROM accounts_user WHERE id = %s", [user.pk])
        assert bytes(cursor.fetchone()[0]) == bytes([3])  # iterated S2K: the old default

    assert User.objects.get(pk=user.pk).full_name == "Old Format"


@pytest.mark.django_db
def test_wrong_key_cannot_decrypt():
    user = UserFactory()
    with (
        pytest.raises(DatabaseError, match="(?i)wrong key|corrupt"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT pgp_sym_decrypt(email, %s) FROM accounts_user WHERE id = %s",
            ["wrong-key", user.pk],
        )


@pytest.mark.django_db
def test_email_hash_is_unique_at_the_database():
    user = UserFactory(email="unique@example.com")
    clone = User(email="UNIQUE@example.com", full_name="Clone")

    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert User.objects.get(email_hash=email_blind_index("unique@example.com")) == user


@pytest.mark.django_db
def test_service_rejects_duplicate_before_the_database():
    UserFactory(email="taken@example.com")

    with pytest.raises(EmailAlreadyRegistered):
        user_create(email=" Taken@Example.com", password=None, full_name="X")
