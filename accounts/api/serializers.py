"""Input and output serializers of the accounts API (explicit fields, never ``__all__``)."""

from typing import Any

from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.serializers import (
    TokenRefreshSerializer as BaseTokenRefreshSerializer,
)

from accounts.models import User
from accounts.personal_data import personal_data_providers


class TokenObtainSerializer(TokenObtainPairSerializer):
    """``{email, password}`` -> ``{access, refresh}``; the tokens carry the user's role.

    Unknown email, wrong password and inactive account all fail with the same 401 body
    (simplejwt's ``no_active_account``); the auth backend hashes a password for unknown
    users too, so timing does not tell them apart either.
    """

    @classmethod
    def get_token(cls, user: User):
        token = super().get_token(user)
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
        fields = ["id", "email", "full_name", "phone", "role", "date_joined"]
        read_only_fields = fields


class UserRegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class UserUpdateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


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
