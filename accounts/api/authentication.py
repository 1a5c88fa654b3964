"""JWT authentication that reads the caller without decrypting their personal data."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User
from accounts.selectors import user_get_for_authentication


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` whose user read leaves the encrypted columns out.

    The checks are simplejwt's: the user exists, is active, and the token's password digest
    matches (``CHECK_REVOKE_TOKEN``). Every authenticated request pays this read, so it
    selects no ``pgp_sym_decrypt``.
    """

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override] # our User
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        try:
            user = user_get_for_authentication(user_id=user_id)
        except User.DoesNotExist as exc:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from exc
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of simplejwt's class (``jwtAuth``) for this subclass."""

    target_class = "accounts.api.authentication.JWTAuthentication"
