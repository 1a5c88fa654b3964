"""A complete production environment with fresh secrets, for starting the prod profile."""

import base64
import secrets

from complaints_project.rsa_keys import new_private_key_pem

PROD_ENV = {
    "DJANGO_ENV": "prod",
    "DJANGO_SETTINGS_MODULE": "complaints_project.settings",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "JWT_PRIVATE_KEY": new_private_key_pem(),
    "PGCRYPTO_KEY": secrets.token_hex(32),
    "BLIND_INDEX_KEY": secrets.token_hex(32),
    "ATTACHMENT_MASTER_KEYS": f"k1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
    "ALLOWED_HOSTS": "complaints.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://complaints.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/complaints",
    "REDIS_URL": "redis://127.0.0.1:6379/2",
    "EMAIL_HOST": "smtp.example.com",
}
