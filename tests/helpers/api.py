"""API clients authenticated the way real callers are (a real JWT access token)."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User


def client_for(user: User) -> APIClient:
    """An APIClient carrying a real access token for ``user``."""
    client = APIClient()
    token = RefreshToken.for_user(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    return client
