from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.UserRegisterApi.as_view(), name="user-register"),
    path("users/me/", views.UserMeApi.as_view(), name="user-me"),
    path("users/verify-email/", views.EmailVerifyApi.as_view(), name="user-verify-email"),
    path(
        "users/verify-email/resend/",
        views.EmailVerificationResendApi.as_view(),
        name="user-verify-email-resend",
    ),
    path("users/password-reset/", views.PasswordResetApi.as_view(), name="password-reset"),
    path(
        "users/password-reset/confirm/",
        views.PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/browser-session/", views.BrowserSessionApi.as_view(), name="browser-session"),
    path(
        "auth/browser-session/cookie/",
        views.BrowserSessionCookieApi.as_view(),
        name="browser-session-cookie",
    ),
    path(
        "auth/browser-session/forget/",
        views.BrowserSessionForgetApi.as_view(),
        name="browser-session-forget",
    ),
    path(
        "auth/browser-session/resume/",
        views.BrowserSessionResumeApi.as_view(),
        name="browser-session-resume",
    ),
    path("auth/logout/", views.LogoutEverywhereApi.as_view(), name="logout-everywhere"),
    path("users/me/password/", views.UserPasswordChangeApi.as_view(), name="user-password"),
    path(
        "users/me/notification-preferences/",
        views.NotificationPreferencesApi.as_view(),
        name="user-notification-preferences",
    ),
    path("users/me/export/", views.UserExportApi.as_view(), name="user-export"),
    path("token/", views.TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("token/verify/", views.TokenVerifyApi.as_view(), name="token-verify"),
    path("token/blacklist/", views.TokenBlacklistApi.as_view(), name="token-blacklist"),
]
