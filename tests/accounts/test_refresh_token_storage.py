"""Refresh tokens are not stored: the outstanding-token table keeps the jti, not the token.

A token copied from the database must not refresh (there is none to copy); revocation
(blacklist by jti, rotation) keeps working.
"""

from importlib import import_module

import pytest
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import DEFAULT_PASSWORD

REFRESH = "/api/token/refresh/"

pytestmark = pytest.mark.django_db


def table_dump() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM token_blacklist_outstandingtoken t")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_no_refresh_token_can_be_copied_from_the_database(api_client, customer):
    tokens = api_client.post(
        "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    refresh = tokens["refresh"]

    stored = OutstandingToken.objects.get(user=customer)
    assert stored.jti == RefreshToken(refresh)["jti"]
    assert stored.token == ""
    dump = table_dump()
    assert "eyJ" not in dump  # no JWT at all (base64 of '{"'), in any form
    assert refresh.split(".")[2] not in dump
    assert api_client.post(REFRESH, {"refresh": stored.token}, format="json").status_code != 200

    assert api_client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


def test_revocation_still_works_by_jti(api_client, customer):
    token = RefreshToken.for_user(customer)
    refresh, jti = str(token), token["jti"]
    rotated = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert rotated.status_code == 200

    # Rotation blacklisted the old token through its row; no row holds a token.
    assert api_client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 401
    assert BlacklistedToken.objects.filter(token__jti=jti).exists()
    assert "eyJ" not in table_dump()


def test_the_migration_empties_rows_written_before(customer):
    minted = RefreshToken.for_user(customer)
    token, jti = str(minted), minted["jti"]
    with connection.cursor() as cursor:
        # As the library wrote it before this change: the whole token.
        cursor.execute(
            "UPDATE token_blacklist_outstandingtoken SET token = %s WHERE jti = %s", [token, jti]
        )
    migration = import_module("accounts.migrations.0004_outstanding_tokens_keep_no_token")

    with connection.cursor() as cursor:
        cursor.execute(migration.DROP_STORED_TOKENS)

    assert OutstandingToken.objects.get(jti=jti).token == ""
