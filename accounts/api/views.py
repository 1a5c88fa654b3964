"""Accounts API: registration, the caller's own profile, export, erasure and JWT endpoints."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts.data_export import user_data_export
from accounts.erasure import user_erase
from accounts.services import (
    EmailAlreadyRegistered,
    user_change_password,
    user_create,
    user_update_profile,
)
from accounts.throttling import (
    LoginEmailThrottle,
    LoginIpThrottle,
    PasswordChangeThrottle,
    RegisterEmailThrottle,
    RegisterIpThrottle,
    TokenIpThrottle,
)

from .serializers import (
    DataExportSerializer,
    PasswordChangeInputSerializer,
    UserOutputSerializer,
    UserRegisterInputSerializer,
    UserUpdateInputSerializer,
)

DUPLICATE_EMAIL = "A user with this email address already exists."


class UserRegisterApi(APIView):
    """Self-service sign-up. Always creates a customer; role/is_staff in the body are ignored."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [RegisterIpThrottle, RegisterEmailThrottle]

    @extend_schema(
        request=UserRegisterInputSerializer,
        responses={201: UserOutputSerializer},
        auth=[],
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = UserRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = user_create(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
        except (EmailAlreadyRegistered, IntegrityError) as exc:
            raise serializers.ValidationError({"email": [DUPLICATE_EMAIL]}) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class UserMeApi(APIView):
    """The caller's profile: read, update (name and phone only) and erase."""

    @extend_schema(responses={200: UserOutputSerializer}, tags=["users"])
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(
        request=UserUpdateInputSerializer, responses={200: UserOutputSerializer}, tags=["users"]
    )
    def patch(self, request: Request) -> Response:
        serializer = UserUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Account erased.")},
        tags=["users"],
    )
    def delete(self, request: Request) -> Response:
        user_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPasswordChangeApi(APIView):
    throttle_classes = [PasswordChangeThrottle]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={204: OpenApiResponse(description="Password changed; refresh tokens revoked.")},
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeInputSerializer(
            data=request.data, context={"user": request.user}
        )
        serializer.is_valid(raise_exception=True)
        try:
            user_change_password(
                user=request.user, new_password=serializer.validated_data["new_password"]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": list(exc.messages)}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserExportApi(APIView):
    @extend_schema(responses={200: DataExportSerializer}, tags=["users"])
    def get(self, request: Request) -> Response:
        response = Response(user_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class TokenObtainApi(jwt_views.TokenObtainPairView):
    throttle_classes = [LoginIpThrottle, LoginEmailThrottle]


class TokenRefreshApi(jwt_views.TokenRefreshView):
    throttle_classes = [TokenIpThrottle]


class TokenVerifyApi(jwt_views.TokenVerifyView):
    throttle_classes = [TokenIpThrottle]


class TokenBlacklistApi(jwt_views.TokenBlacklistView):
    throttle_classes = [TokenIpThrottle]
