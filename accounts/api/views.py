"""Accounts API: registration, the caller's own profile, export, erasure and JWT endpoints."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts.api.requests import AuthenticatedRequest
from accounts.data_export import user_data_export
from accounts.erasure import user_erase
from accounts.errors import BrowserSessionInvalid
from accounts.selectors import notification_preferences
from accounts.services import (
    browser_session_bind,
    browser_session_start,
    browser_session_user,
    browser_sessions_end,
    email_verification_resend,
    email_verify,
    notification_preferences_update,
    password_reset_confirm,
    password_reset_request,
    user_change_password,
    user_register,
    user_update_profile,
)
from accounts.throttling import (
    AccountTokenIpThrottle,
    BrowserSessionResumeThrottle,
    LoginEmailThrottle,
    LoginIpThrottle,
    PasswordChangeThrottle,
    PasswordResetEmailThrottle,
    PasswordResetIpThrottle,
    RegisterEmailThrottle,
    RegisterIpThrottle,
    TokenIpThrottle,
    VerificationResendThrottle,
)

from .serializers import (
    BrowserSessionResumeInputSerializer,
    BrowserSessionTicketOutputSerializer,
    DataExportSerializer,
    DetailOutputSerializer,
    LinkTokenInputSerializer,
    NotificationPreferencesInputSerializer,
    NotificationPreferencesOutputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetRequestInputSerializer,
    TokenObtainSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
    UserRegisterInputSerializer,
    UserUpdateInputSerializer,
)

# A ticket is token_urlsafe(32), 43 characters; anything much longer is not one.
BROWSER_SESSION_TICKET_MAX_LENGTH = 100
REGISTRATION_ACCEPTED = (
    "Thanks. We have sent an email to this address: open the link in it to confirm your "
    "address, then log in."
)
RESET_ACCEPTED = "If an account uses this address, we have sent it a link to choose a new password."

ErrorOut = OpenApiResponse(
    OpenApiTypes.OBJECT, description="`{detail}`, or field -> messages for bad input."
)
LinkErrorOut = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Field -> messages, or `{detail, code}` with code `token_invalid` "
    "(malformed, tampered with, for another account or already used) or `token_expired`.",
)
SessionEndedOut = OpenApiResponse(
    OpenApiTypes.OBJECT, description="`{detail, code: session_ended}`: log in again."
)
Throttled = OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests (Retry-After).")
Unauthenticated = OpenApiResponse(OpenApiTypes.OBJECT, description="Not authenticated.")


def _field_errors(exc: DjangoValidationError, field: str) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({field: list(exc.messages)})


class UserRegisterApi(APIView):
    """Self-service sign-up. Always creates a customer; role/is_staff in the body are ignored."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [RegisterIpThrottle, RegisterEmailThrottle]

    @extend_schema(
        summary="Sign up (answers the same whether or not the email is registered)",
        description="A new address gets a verification link by email; the owner of an address "
        "already registered gets a note that someone tried to sign up with it. The answer is "
        "the same 202 either way. Until verified, a customer may log in and read but not "
        "file complaints.",
        request=UserRegisterInputSerializer,
        responses={202: DetailOutputSerializer, 400: ErrorOut, 429: Throttled},
        auth=[],
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = UserRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user_register(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc, "password") from exc
        return Response({"detail": REGISTRATION_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class EmailVerifyApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AccountTokenIpThrottle]

    @extend_schema(
        summary="Confirm an email address with the token from the emailed link",
        request=LinkTokenInputSerializer,
        responses={200: UserOutputSerializer, 400: LinkErrorOut, 429: Throttled},
        auth=[],
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = LinkTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = email_verify(token=serializer.validated_data["token"])
        return Response(UserOutputSerializer(user).data)


class EmailVerificationResendApi(APIView):
    throttle_classes = [VerificationResendThrottle]

    @extend_schema(
        summary="Email the caller a fresh verification link (nothing if already verified)",
        request=None,
        responses={202: DetailOutputSerializer, 401: Unauthenticated, 429: Throttled},
        tags=["users"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        email_verification_resend(user=request.user)
        return Response(
            {"detail": "If your address still needs confirming, a new link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PasswordResetIpThrottle, PasswordResetEmailThrottle]

    @extend_schema(
        summary="Ask for a password-reset link (same answer for unknown addresses)",
        request=PasswordResetRequestInputSerializer,
        responses={202: DetailOutputSerializer, 400: ErrorOut, 429: Throttled},
        auth=[],
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"])
        return Response({"detail": RESET_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AccountTokenIpThrottle]

    @extend_schema(
        summary="Set a new password with the token from the emailed link",
        description="The link works once and expires (`PASSWORD_RESET_TIMEOUT`). Every "
        "refresh token, browser session and live access token of the account ends.",
        request=PasswordResetConfirmInputSerializer,
        responses={
            204: OpenApiResponse(description="Password set; log in with it."),
            400: LinkErrorOut,
            429: Throttled,
        },
        auth=[],
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            password_reset_confirm(
                token=serializer.validated_data["token"],
                new_password=serializer.validated_data["new_password"],
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc, "new_password") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserMeApi(APIView):
    """The caller's profile: read, update (name and phone only) and erase."""

    @extend_schema(responses={200: UserOutputSerializer}, tags=["users"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(
        request=UserUpdateInputSerializer, responses={200: UserOutputSerializer}, tags=["users"]
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        serializer = UserUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Account erased.")},
        tags=["users"],
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        user_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPasswordChangeApi(APIView):
    throttle_classes = [PasswordChangeThrottle]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={204: OpenApiResponse(description="Password changed; refresh tokens revoked.")},
        tags=["users"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
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
    def get(self, request: AuthenticatedRequest) -> Response:
        response = Response(user_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "no-store"
        return response


def _token_pair(user) -> dict[str, str]:
    refresh = TokenObtainSerializer.get_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _cookie_kwargs() -> dict:
    return {
        "path": "/",
        "secure": settings.BROWSER_SESSION_COOKIE_SECURE,
        "samesite": "Strict",
    }


class BrowserSessionApi(APIView):
    """Keeps a browser signed in across reloads without exposing a token to JavaScript.

    1. After a login the front-end server asks for a one-time ticket (``POST``, Bearer).
    2. The browser redeems it (``GET cookie/?ticket=``): an HttpOnly, SameSite=Strict cookie
       with an opaque secret. The front end reads it server-side on a fresh page load.
    3. The front-end server trades the secret for fresh JWTs (``POST resume/``).
    4. ``POST /api/auth/logout/`` ends every session of the user; ``GET forget/`` drops the
       cookie from the browser.
    """

    @extend_schema(
        summary="Open a browser session: a one-time ticket for the session cookie",
        request=None,
        responses={201: BrowserSessionTicketOutputSerializer, 401: Unauthenticated},
        tags=["auth"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        ticket = browser_session_start(user=request.user)
        return Response(
            {"ticket": ticket, "expires_in": settings.BROWSER_SESSION_TICKET_SECONDS},
            status=status.HTTP_201_CREATED,
        )


class BrowserSessionCookieApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AccountTokenIpThrottle]

    @extend_schema(
        summary="Redeem a ticket for the HttpOnly session cookie (loaded by the browser)",
        parameters=[OpenApiParameter("ticket", OpenApiTypes.STR, required=True)],
        request=None,
        responses={
            204: OpenApiResponse(description="Cookie set."),
            401: SessionEndedOut,
            403: ErrorOut,
            429: Throttled,
        },
        auth=[],
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        # A cross-site page must not plant its own account's session in this browser.
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise exceptions.PermissionDenied("Cross-site requests cannot open a session.")
        ticket = request.query_params.get("ticket", "")
        if not ticket or len(ticket) > BROWSER_SESSION_TICKET_MAX_LENGTH:
            raise BrowserSessionInvalid()
        secret, session = browser_session_bind(ticket=ticket)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response.set_cookie(
            settings.BROWSER_SESSION_COOKIE_NAME,
            secret,
            expires=session.expires_at,
            httponly=True,
            **_cookie_kwargs(),
        )
        response["Cache-Control"] = "no-store"
        return response


class BrowserSessionForgetApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AccountTokenIpThrottle]

    @extend_schema(
        summary="Drop the session cookie from the browser (after logout)",
        request=None,
        responses={204: OpenApiResponse(description="Cookie removed."), 429: Throttled},
        auth=[],
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response.delete_cookie(settings.BROWSER_SESSION_COOKIE_NAME, path="/", samesite="Strict")
        response["Cache-Control"] = "no-store"
        return response


class BrowserSessionResumeApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [BrowserSessionResumeThrottle]

    @extend_schema(
        summary="Trade a browser session's secret for fresh tokens (front-end server only)",
        request=BrowserSessionResumeInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: ErrorOut,
            401: SessionEndedOut,
            429: Throttled,
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = BrowserSessionResumeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = browser_session_user(secret=serializer.validated_data["session"])
        return Response(_token_pair(user))


class LogoutEverywhereApi(APIView):
    @extend_schema(
        summary="Log out everywhere: end every browser session and refresh token",
        request=None,
        responses={204: OpenApiResponse(description="Logged out."), 401: Unauthenticated},
        tags=["auth"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        browser_sessions_end(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenObtainApi(jwt_views.TokenObtainPairView):
    throttle_classes = [LoginIpThrottle, LoginEmailThrottle]


class TokenRefreshApi(jwt_views.TokenRefreshView):
    throttle_classes = [TokenIpThrottle]


class TokenVerifyApi(jwt_views.TokenVerifyView):
    throttle_classes = [TokenIpThrottle]


class TokenBlacklistApi(jwt_views.TokenBlacklistView):
    throttle_classes = [TokenIpThrottle]


class NotificationPreferencesApi(APIView):
    """Which notifications the caller receives by email (every kind is on until turned off)."""

    @extend_schema(
        summary="The caller's email notification preferences",
        responses={200: NotificationPreferencesOutputSerializer, 401: Unauthenticated},
        tags=["users"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response({"kinds": notification_preferences(user=request.user)})

    @extend_schema(
        summary="Turn email on or off per notification kind",
        request=NotificationPreferencesInputSerializer,
        responses={
            200: NotificationPreferencesOutputSerializer,
            400: ErrorOut,
            401: Unauthenticated,
        },
        tags=["users"],
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        serializer = NotificationPreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification_preferences_update(user=request.user, email=serializer.validated_data["email"])
        return Response({"kinds": notification_preferences(user=request.user)})
