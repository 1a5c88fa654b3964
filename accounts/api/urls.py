from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.UserRegisterApi.as_view(), name="user-register"),
    path("users/me/", views.UserMeApi.as_view(), name="user-me"),
    path("users/me/password/", views.UserPasswordChangeApi.as_view(), name="user-password"),
    path("users/me/export/", views.UserExportApi.as_view(), name="user-export"),
    path("token/", views.TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("token/verify/", views.TokenVerifyApi.as_view(), name="token-verify"),
    path("token/blacklist/", views.TokenBlacklistApi.as_view(), name="token-blacklist"),
]
