"""RS256 keys of the access and refresh tokens, named by key id (``kid``), and their rotation.

Django signs with the current private key (``settings.JWT_PRIVATE_KEY``) and writes its key id
into the token header. It verifies a token with the public key that the token's ``kid`` names:
the current key's, or one of ``settings.JWT_PREVIOUS_PUBLIC_KEYS`` (kept during a rotation
until the longest refresh lifetime has passed). A token without a ``kid``, or with an unknown
one, is invalid. The key id is the RFC 7638 thumbprint of the public key, so an id can never
name the wrong key; Kong's ``jwt`` credentials (docker/kong/kong.yml) carry the same ids.
"""

import functools
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings

from complaints_project.rsa_keys import key_id, pem_blocks

ALGORITHM = "RS256"


class InvalidKey(ValueError):
    """A configured PEM is not an RSA key of the expected kind."""


@functools.lru_cache(maxsize=8)
def load_private_key(pem: str) -> RSAPrivateKey:
    blocks = pem_blocks(pem)
    if len(blocks) != 1:
        raise InvalidKey("JWT_PRIVATE_KEY must hold exactly one PEM private key")
    try:
        key = serialization.load_pem_private_key(blocks[0].encode(), password=None)
    except ValueError as exc:
        raise InvalidKey("JWT_PRIVATE_KEY is not a readable PEM private key") from exc
    if not isinstance(key, RSAPrivateKey) or key.key_size < 2048:
        raise InvalidKey("JWT_PRIVATE_KEY must be an RSA key of at least 2048 bits")
    return key


@functools.lru_cache(maxsize=8)
def load_public_keys(pems: str) -> tuple[RSAPublicKey, ...]:
    keys = []
    for block in pem_blocks(pems):
        try:
            key = serialization.load_pem_public_key(block.encode())
        except ValueError as exc:
            raise InvalidKey("JWT_PREVIOUS_PUBLIC_KEYS holds an unreadable PEM block") from exc
        if not isinstance(key, RSAPublicKey):
            raise InvalidKey("JWT_PREVIOUS_PUBLIC_KEYS must hold RSA public keys only")
        keys.append(key)
    return tuple(keys)


def current_key_id() -> str:
    return key_id(load_private_key(settings.JWT_PRIVATE_KEY).public_key())


def verifying_keys() -> dict[str, RSAPublicKey]:
    """Key id -> public key of every key a token may be signed with right now."""
    current = load_private_key(settings.JWT_PRIVATE_KEY).public_key()
    keys = {key_id(key): key for key in load_public_keys(settings.JWT_PREVIOUS_PUBLIC_KEYS)}
    keys[key_id(current)] = current
    return keys


class KeyIdTokenBackend(TokenBackend):
    """simplejwt's backend, signing with the current key and verifying by ``kid``.

    Keys are read from the settings on each use (parsed once per value), so a settings
    override in tests applies at once.
    """

    def __init__(self) -> None:
        super().__init__(
            ALGORITHM,
            audience=api_settings.AUDIENCE,
            issuer=api_settings.ISSUER,
            leeway=api_settings.LEEWAY,
            json_encoder=api_settings.JSON_ENCODER,
        )

    def encode(self, payload: dict[str, Any]) -> str:
        claims = payload.copy()
        if self.audience is not None:
            claims["aud"] = self.audience
        if self.issuer is not None:
            claims["iss"] = self.issuer
        return jwt.encode(
            claims,
            load_private_key(settings.JWT_PRIVATE_KEY),
            algorithm=ALGORITHM,
            headers={"kid": current_key_id()},
            json_encoder=self.json_encoder,
        )

    def get_verifying_key(self, token: Any) -> RSAPublicKey:
        # Called inside TokenBackend.decode, which turns PyJWT's errors into TokenBackendError.
        kid = jwt.get_unverified_header(token).get("kid")
        key = verifying_keys().get(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenBackendError(_("Token is invalid"))
        return key


def install_token_backend() -> None:
    """Make every simplejwt token (views, authentication, blacklist) use KeyIdTokenBackend.

    simplejwt looks its backend up as ``rest_framework_simplejwt.state.token_backend`` each
    time a token is built and offers no setting to replace its class.
    """
    from rest_framework_simplejwt import state

    state.token_backend = KeyIdTokenBackend()
