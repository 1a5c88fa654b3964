"""RS256 tokens named by key id: signing, verification by kid, and a key rotation."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.checks import check_jwt_keys
from accounts.jwt_keys import load_private_key
from complaints_project.rsa_keys import key_id, new_private_key_pem, pem_blocks, public_key_pem

ME = "/api/users/me/"
REFRESH = "/api/token/refresh/"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def old_key() -> str:
    return new_private_key_pem()


@pytest.fixture(scope="module")
def new_key() -> str:
    return new_private_key_pem()


def public_pem(private_pem: str) -> str:
    return public_key_pem(load_private_key(private_pem).public_key())


def kid_of(private_pem: str) -> str:
    return key_id(load_private_key(private_pem).public_key())


def me_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(ME).status_code


def test_tokens_are_rs256_and_name_their_key(settings, customer, old_key):
    settings.JWT_PRIVATE_KEY = old_key

    access = str(RefreshToken.for_user(customer).access_token)

    header = jwt.get_unverified_header(access)
    assert header["alg"] == "RS256"
    assert header["kid"] == kid_of(old_key)
    public = serialization.load_pem_public_key(public_pem(old_key).encode())
    assert jwt.decode(access, public, algorithms=["RS256"])["user_id"] == str(customer.id)
    assert me_status(access) == 200


def test_rotation_keeps_old_tokens_until_the_old_key_is_removed(
    settings, customer, old_key, new_key
):
    settings.JWT_PRIVATE_KEY = old_key
    old_refresh = RefreshToken.for_user(customer)
    old_access = str(old_refresh.access_token)
    unused_old_refresh = str(RefreshToken.for_user(customer))

    # Rotation: the new key signs, the old public key still verifies.
    settings.JWT_PRIVATE_KEY = new_key
    settings.JWT_PREVIOUS_PUBLIC_KEYS = public_pem(old_key)
    assert me_status(old_access) == 200
    new_access = str(RefreshToken.for_user(customer).access_token)
    assert jwt.get_unverified_header(new_access)["kid"] == kid_of(new_key)
    assert me_status(new_access) == 200
    # A refresh token of the old key refreshes into tokens of the new key.
    refreshed = APIClient().post(REFRESH, {"refresh": str(old_refresh)}, format="json")
    assert refreshed.status_code == 200, refreshed.content
    assert jwt.get_unverified_header(refreshed.json()["access"])["kid"] == kid_of(new_key)

    # Rotation finished: the old key is gone, its tokens are refused.
    settings.JWT_PREVIOUS_PUBLIC_KEYS = ""
    assert me_status(old_access) == 401
    assert me_status(new_access) == 200
    assert APIClient().post(REFRESH, {"refresh": unused_old_refresh}).status_code == 401


def test_tokens_of_unknown_or_missing_key_ids_are_refused(settings, customer, old_key, new_key):
    settings.JWT_PRIVATE_KEY = new_key
    claims = dict(RefreshToken.for_user(customer).access_token.payload)
    stranger = load_private_key(old_key)

    unknown_kid = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "nope"})
    stranger_kid = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid_of(old_key)})
    # Claims a configured key id but is signed by another key.
    forged = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid_of(new_key)})
    no_kid = jwt.encode(claims, load_private_key(new_key), algorithm="RS256")
    hmac_with_kid = jwt.encode(
        claims, "x" * 64, algorithm="HS256", headers={"kid": kid_of(new_key)}
    )

    for token in (unknown_kid, stranger_kid, forged, no_kid, hmac_with_kid, "not.a.token"):
        assert me_status(token) == 401, token
    body = APIClient()
    body.credentials(HTTP_AUTHORIZATION=f"Bearer {unknown_kid}")
    assert body.get(ME).json()["code"] == "token_not_valid"


def test_pem_values_may_use_escaped_newlines(old_key, new_key):
    both = public_pem(old_key) + public_pem(new_key)

    assert pem_blocks(both.replace("\n", "\\n")) == pem_blocks(both)
    assert len(pem_blocks(both)) == 2


def test_a_bad_key_fails_the_system_check(settings):
    settings.JWT_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"

    assert [error.id for error in check_jwt_keys(None)] == ["accounts.E001"]


def test_a_bad_previous_key_fails_the_system_check(settings, old_key):
    settings.JWT_PRIVATE_KEY = old_key
    settings.JWT_PREVIOUS_PUBLIC_KEYS = "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----"

    assert [error.id for error in check_jwt_keys(None)] == ["accounts.E001"]
