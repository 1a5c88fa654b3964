"""Input and output serializers of the accounts API (explicit fields, never ``__all__``)."""

from typing import Any, cast

from rest_framework import exceptions, serializers
from rest_framework_simplejwt.authentication import AuthUser
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.serializers import (
    TokenRefreshSerializer as BaseTokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.personal_data import personal_data_providers


class TokenObtainSerializer(TokenObtainPairSerializer):
    """``{email, password}`` -> ``{access, refresh}``; the tokens carry the user's role.

    Unknown email, wrong password and inactive account all fail with the same 401 body
    (simplejwt's ``no_active_account``); the auth backend hashes a password for unknown
    users too, so timing does not tell them apart either.
    """

    @classmethod
    def get_token(cls, user: AuthUser) -> RefreshToken:
        # token_class is RefreshToken (TokenObtainPairSerializer); the stubs return the base.
        token = cast(RefreshToken, super().get_token(user))
        # Always an account here (the backend authenticates against User); the check narrows.
        if isinstance(user, User):
            token["role"] = user.role
        return token


class TokenRefreshSerializer(BaseTokenRefreshSerializer):
    """simplejwt's refresh; a token whose user was deleted is the same 401 as an inactive one."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except User.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from exc


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "email_verified",
            "full_name",
            "phone",
            "role",
            "time_zone",
            "date_joined",
        ]
        read_only_fields = fields

    email_verified = serializers.BooleanField(
        read_only=True,
        help_text="False until the emailed link is opened; an unverified customer may read "
        "and manage the account but not file complaints.",
    )
    time_zone = serializers.CharField(
        read_only=True, help_text='IANA time zone name; "" means the organisation\'s default.'
    )


class UserRegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class UserUpdateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Stored in E.164; numbers without +country are read in the default region.",
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text='IANA name such as "Europe/Berlin"; "" for the organisation\'s default.',
    )


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetRequestInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class LinkTokenInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, trim_whitespace=True)


class PasswordResetConfirmInputSerializer(LinkTokenInputSerializer):
    new_password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )


class BrowserSessionTicketOutputSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="One-time ticket for the session cookie.")
    expires_in = serializers.IntegerField(help_text="Seconds the ticket stays valid.")


class BrowserSessionResumeInputSerializer(serializers.Serializer):
    session = serializers.CharField(max_length=100, help_text="The session cookie's value.")


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    new_password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )

    def validate_old_password(self, value: str) -> str:
        user: User = self.context["user"]
        if not user.check_password(value):
            raise serializers.ValidationError("The current password is not correct.")
        return value


class DataExportSerializer(serializers.Serializer):
    """Schema-only description of the export document (built by accounts.data_export)."""

    exported_at = serializers.DateTimeField()
    profile = serializers.DictField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # Beside the profile, one list per section of each registered personal-data provider.
        fields = super().get_fields()
        for provider in personal_data_providers():
            for section in provider.sections:
                fields[section] = serializers.ListField(child=serializers.DictField())
        return fields

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        return instance


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Key of the notification kind.")
    description = serializers.CharField(help_text="What the notification is about.")
    email = serializers.BooleanField(help_text="Whether it is emailed to you.")


class NotificationPreferencesOutputSerializer(serializers.Serializer):
    kinds = NotificationPreferenceSerializer(many=True)


class NotificationPreferencesInputSerializer(serializers.Serializer):
    email = serializers.DictField(
        child=serializers.BooleanField(),
        allow_empty=False,
        help_text="Kind key -> true (email me) or false (do not email me). Kinds left out keep "
        "their setting.",
    )
