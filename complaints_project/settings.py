"""Settings for every environment, read from the process environment.

DJANGO_ENV selects the profile: ``dev`` (default, local run), ``test`` (pytest) or ``prod``.
Dev and test fall back to throwaway values marked ``dev-only``; prod refuses to start
without real secrets.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from complaints_project.client_ip import parse_networks
from complaints_project.rsa_keys import dev_private_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="dev")
if DJANGO_ENV not in {"dev", "test", "prod"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be dev, test or prod, not {DJANGO_ENV!r}")
IS_PROD = DJANGO_ENV == "prod"
IS_TEST = DJANGO_ENV == "test"


def secret(name: str, dev_default: str) -> str:
    """A secret from the environment; dev/test may fall back to a throwaway value."""
    value = env.str(name, default="")
    if value:
        return value
    if IS_PROD:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=prod")
    return dev_default


# SECURITY
SECRET_KEY = secret(
    "SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
)
# Django signs sessions, password-reset links and the like with SECRET_KEY and still accepts
# these previous keys, so SECRET_KEY can be replaced without logging anyone out.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "dev")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PROD else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if IS_PROD and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=prod")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# pgcrypto: PGCRYPTO_KEY encrypts and decrypts; during a rotation PGCRYPTO_KEY_PREVIOUS still
# decrypts what is not re-encrypted yet (docs/security.md). Each connection receives them as
# settings when it opens, never in SQL text (complaints_project/postgresql/base.py).
PGCRYPTO_KEY = secret("PGCRYPTO_KEY", "dev-only-pgcrypto-key")
PGCRYPTO_KEY_PREVIOUS = env.str("PGCRYPTO_KEY_PREVIOUS", default="")
# Key of the HMAC blind index that makes encrypted emails unique and searchable; during a
# rotation lookups also try BLIND_INDEX_KEY_PREVIOUS.
BLIND_INDEX_KEY = secret("BLIND_INDEX_KEY", "dev-only-blind-index-key")
BLIND_INDEX_KEY_PREVIOUS = env.str("BLIND_INDEX_KEY_PREVIOUS", default="")
if PGCRYPTO_KEY_PREVIOUS == PGCRYPTO_KEY or BLIND_INDEX_KEY_PREVIOUS == BLIND_INDEX_KEY:
    raise ImproperlyConfigured("A *_PREVIOUS key must differ from the current one")
PGCRYPTO_KEY_MIN_LENGTH = 32
if IS_PROD and any(
    0 < len(key) < PGCRYPTO_KEY_MIN_LENGTH for key in (PGCRYPTO_KEY, PGCRYPTO_KEY_PREVIOUS)
):
    # Values use pgcrypto's salted S2K without key stretching (complaints_project/
    # encrypted_fields.py): the key itself must be random and long, not a passphrase.
    raise ImproperlyConfigured("PGCRYPTO_KEY must be a random secret of at least 32 characters")
# Attachment files: AES-256-GCM per file, the file's key wrapped by the first of these master
# keys; the others only unwrap until rotate_attachment_master_key has rewrapped every file
# (complaints/attachment_crypto.py, checked by `manage.py check`).
# Format: "id:base64url-of-32-bytes,older-id:...".
ATTACHMENT_MASTER_KEYS = secret(
    "ATTACHMENT_MASTER_KEYS", "dev-only:ZGV2LW9ubHktYXR0YWNobWVudC1tYXN0ZXIta2V5ISE="
)

if IS_PROD:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Proxies whose X-Forwarded-For (and X-Forwarded-Proto) is believed: CIDRs, comma separated.
# Any other peer is the client itself, whatever it sends (complaints_project/client_ip.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
parse_networks(tuple(TRUSTED_PROXIES))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# APPS
INSTALLED_APPS = [
    "complaints_project.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "axes",
    "drf_spectacular_sidecar",
    "complaints_project",
    "accounts",
    "complaints",
    "events",
    "analytics",
    "demo",
]

MIDDLEWARE = [
    "complaints_project.client_ip.TrustedProxyMiddleware",
    "complaints_project.metrics.MetricsEndpointMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "complaints_project.middleware.RequestIdMiddleware",
    "complaints_project.limits.RequestBodyLimitMiddleware",
    "complaints_project.metrics.DatabaseTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns an admin login lockout into its 429 answer; after the views, before metrics.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

if IS_PROD:
    # gunicorn serves the admin's and API docs' assets through whitenoise; runserver does it in dev.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "complaints_project.urls"
WSGI_APPLICATION = "complaints_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASES
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/complaints"),
}
# Django's PostgreSQL backend plus the pgcrypto keys as per-connection settings.
DATABASES["default"]["ENGINE"] = "complaints_project.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parallel local runs (several checkouts, helpers) keep their test databases apart.
if env.str("TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHES: short-lived state that may be lost (throttle counters, debounce marks, health check
# results). Idempotency keys are database rows (complaints.IdempotencyKey), not cache entries:
# they must not expire or be evicted while a client may still retry.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=f"complaints-{DJANGO_ENV}"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}

# AUTHENTICATION
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out admin login before any password is checked.
    "accounts.lockout.AdminLockoutBackend",
    "accounts.backends.EmailBackend",
]
# The encrypted email cannot carry a unique index; uniqueness lives on the blind index.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ADMIN LOGIN LOCKOUT (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failures from one IP,
# or for one account, that IP / account is refused (429) until ADMIN_LOGIN_COOLOFF_MINUTES
# pass without a new failure, or `manage.py admin_login_unlock` lifts it.
AXES_HANDLER = "accounts.lockout.AdminLoginHandler"
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.lockout_client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address"]
# Its access log would store the email of each successful login in plaintext.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# ACCOUNTS
# Where people open the app: links in emails (verification, password reset) start with it.
FRONTEND_BASE_URL = env.str("FRONTEND_BASE_URL", default="http://127.0.0.1:8501").rstrip("/")
# Lifetime of a password-reset link (Django's token generator reads this name).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=3 * 24 * 60 * 60)
# Region assumed for phone numbers typed without a +country prefix (ISO 3166 alpha-2).
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="GB")
# The browser session cookie (accounts.services.browser_session_*): HttpOnly, SameSite=Strict,
# Secure in prod. It holds an opaque secret, never a JWT.
BROWSER_SESSION_COOKIE_NAME = env.str("BROWSER_SESSION_COOKIE_NAME", default="complaints_session")
BROWSER_SESSION_COOKIE_SECURE = env.bool("BROWSER_SESSION_COOKIE_SECURE", default=IS_PROD)
BROWSER_SESSION_TICKET_SECONDS = env.int("BROWSER_SESSION_TICKET_SECONDS", default=60)

# INTERNATIONALISATION
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# STATIC AND MEDIA
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Admin and API-docs assets are served by whitenoise under gunicorn (built by collectstatic).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PROD
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Request bodies are refused (413) above these sizes before anything parses them
# (complaints_project/limits.py): JSON and every other non-multipart body, and multipart
# uploads (the attachment plus room for the form envelope).
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1024 * 1024)
API_MAX_MULTIPART_BYTES = ATTACHMENT_MAX_BYTES + 64 * 1024

# COMPLAINTS
# A customer may reopen a resolved complaint within this many days of its resolution.
COMPLAINT_REOPEN_WINDOW_DAYS = env.int("COMPLAINT_REOPEN_WINDOW_DAYS", default=14)
# Where a customer can take a complaint when they do not accept the final answer (ISO 10002,
# ISO 10003), shown on rejected, resolved and closed complaints after the internal review
# (which the app offers once): a JSON list of {"name", "contact"} (plain text) per body,
# e.g. the ombudsman of the sector. Changed by deployment, like the organisation's name.
COMPLAINT_REFERRALS: list[dict[str, str]] = env.json(
    "COMPLAINT_REFERRALS",
    default=[
        {
            "name": "The Ombudsman Service",
            "contact": "If our final answer does not settle your complaint, you may refer it, free "
            "of charge, within six months: www.ombudsman-services.example, 0330 440 1614.",
        }
    ],
)
if not isinstance(COMPLAINT_REFERRALS, list) or not all(
    isinstance(body, dict)
    and set(body) == {"name", "contact"}
    and all(isinstance(value, str) and value for value in body.values())
    for body in COMPLAINT_REFERRALS
):
    raise ImproperlyConfigured('COMPLAINT_REFERRALS: a JSON list of {"name": …, "contact": …}.')

# EMAIL
# Dev writes each email to a file under .run/emails/ so the flow can be followed locally.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if IS_PROD
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / ".run" / "emails")
# Prod has no default host: complaints_project/checks.py warns until EMAIL_HOST is set.
EMAIL_HOST = env.str("EMAIL_HOST", default="" if IS_PROD else "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # TLS from the start, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="complaints@example.com")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# REST FRAMEWORK
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the attachment upload view adds multipart for itself. (HTML-form input would
    # also change field semantics: DRF reads an empty form value as "omitted".)
    "DEFAULT_PARSER_CLASSES": ["complaints_project.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "complaints_project.pagination.DefaultPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "complaints_project.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "complaints_project.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env.str("THROTTLE_LOGIN_IP", default="30/min"),
        "login_email": env.str("THROTTLE_LOGIN_EMAIL", default="10/min"),
        "register_ip": env.str("THROTTLE_REGISTER_IP", default="20/hour"),
        "register_email": env.str("THROTTLE_REGISTER_EMAIL", default="5/hour"),
        "token_ip": env.str("THROTTLE_TOKEN_IP", default="120/min"),
        "password_reset_ip": env.str("THROTTLE_PASSWORD_RESET_IP", default="20/hour"),
        "password_reset_email": env.str("THROTTLE_PASSWORD_RESET_EMAIL", default="5/hour"),
        "account_token_ip": env.str("THROTTLE_ACCOUNT_TOKEN_IP", default="60/hour"),
        "verification_resend": env.str("THROTTLE_VERIFICATION_RESEND", default="5/hour"),
        "browser_session": env.str("THROTTLE_BROWSER_SESSION", default="120/hour"),
    },
    # REMOTE_ADDR already is the client (TrustedProxyMiddleware): DRF must not read
    # X-Forwarded-For itself.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Tokens are signed RS256 by the current private key and verified by key id (accounts/jwt_keys.py);
# previous public keys stay here during a key rotation (docs/deploy.md). Dev and test make a
# throwaway key when none is given.
JWT_PRIVATE_KEY = secret("JWT_PRIVATE_KEY", "").replace("\\n", "\n") or dev_private_key_pem(
    BASE_DIR / ".run" / "dev-jwt-private-key.pem" if DJANGO_ENV == "dev" else None
)
JWT_PREVIOUS_PUBLIC_KEYS = env.str("JWT_PREVIOUS_PUBLIC_KEYS", default="")

SIMPLE_JWT: dict[str, Any] = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "RS256",
    "SIGNING_KEY": JWT_PRIVATE_KEY,
    "TOKEN_OBTAIN_SERIALIZER": "accounts.api.serializers.TokenObtainSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.api.serializers.TokenRefreshSerializer",
    # Access tokens carry a digest of the password hash: a password change (or erasure)
    # ends them at once instead of when they expire.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Complaints API",
    "DESCRIPTION": "File, follow and resolve complaints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Statuses and priority names appear in several fields (status, allowed_transitions, 409
    # bodies, the workflow's "value"s): one named enum each.
    "ENUM_NAME_OVERRIDES": {
        "ComplaintStatusEnum": "complaints.workflow.Status",
        "PriorityEnum": "complaints.api.serializers.PRIORITY_NAMES",
    },
    # Swagger UI and ReDoc from our static files, so the docs work without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# OPERATIONS
# Celery workers serve their Prometheus metrics on this port (0 = off; see celery.py).
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)

# EVENTS (Kafka, Celery)
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task unless
# this is set, i.e. a new PostgreSQL connection (and backend process) per task. With it set
# the fixup only recycles them every N tasks; between, workers drop connections the way
# Django does around a request (CONN_MAX_AGE, health check, errors): complaints_project/celery.py.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Workers log through the project's JSON logging config, not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Redis re-queues a task whose worker died (acks_late) once this many seconds have passed.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
EVENTS_TOPIC = env.str("EVENTS_TOPIC", default="complaints.events")
EVENTS_DLQ_TOPIC = env.str("EVENTS_DLQ_TOPIC", default="complaints.events.dlq")
EVENTS_TOPIC_PARTITIONS = env.int("EVENTS_TOPIC_PARTITIONS", default=6)
EVENTS_TOPIC_REPLICATION = env.int("EVENTS_TOPIC_REPLICATION", default=1)
EVENTS_CONSUMER_GROUP = env.str("EVENTS_CONSUMER_GROUP", default="complaints-workers")
EVENTS_RELAY_BATCH_SIZE = env.int("EVENTS_RELAY_BATCH_SIZE", default=500)
EVENTS_RELAY_POLL_SECONDS = env.float("EVENTS_RELAY_POLL_SECONDS", default=5.0)
# After a NOTIFY wake-up, wait this long to collect the commits arriving meanwhile into one
# batch (adds at most this much latency; 0 = publish at once).
EVENTS_RELAY_COALESCE_MS = env.float("EVENTS_RELAY_COALESCE_MS", default=5.0)
EVENTS_RELAY_MAX_BACKOFF_SECONDS = env.float("EVENTS_RELAY_MAX_BACKOFF_SECONDS", default=30.0)
EVENTS_OUTBOX_MAX_PENDING = env.int("EVENTS_OUTBOX_MAX_PENDING", default=10000)
EVENTS_OUTBOX_MAX_AGE_SECONDS = env.int("EVENTS_OUTBOX_MAX_AGE_SECONDS", default=300)
# Published outbox rows and processed-event rows older than this are deleted by the beat task
# events.purge_event_tables every EVENTS_RETENTION_SECONDS, in batches of
# EVENTS_RETENTION_BATCH_SIZE rows, for at most EVENTS_RETENTION_TIME_BUDGET_SECONDS a run
# (events/retention.py). Keep it at least as long as the topic's retention.ms.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=7)
EVENTS_RETENTION_BATCH_SIZE = env.int("EVENTS_RETENTION_BATCH_SIZE", default=5000)
EVENTS_RETENTION_TIME_BUDGET_SECONDS = env.float(
    "EVENTS_RETENTION_TIME_BUDGET_SECONDS", default=120.0
)
EVENTS_CONSUMER_MAX_LAG = env.int("EVENTS_CONSUMER_MAX_LAG", default=0)  # 0 = report only
# GET /api/stats/ answers are shared by all supervisors for this long (0 = computed per request).
ANALYTICS_STATS_CACHE_SECONDS = env.float("ANALYTICS_STATS_CACHE_SECONDS", default=5.0)
# Words in a new complaint's title that raise its priority (comma separated).
TRIAGE_URGENT_KEYWORDS = env.list(
    "TRIAGE_URGENT_KEYWORDS", default=["injury", "injured", "fraud", "unsafe", "danger", "fire"]
)
TRIAGE_URGENT_CATEGORY_SLUGS = env.list("TRIAGE_URGENT_CATEGORY_SLUGS", default=[])

# HEALTH: each entry is a callable returning (ok, details).
HEALTH_CHECKS = [
    "complaints_project.health.check_database",
    "complaints_project.health.check_cache",
    "events.health.check_kafka",
    "events.health.check_outbox",
    "events.health.check_consumer_lag",
]

# LOGGING: JSON lines with the request id of the request being served.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "complaints_project.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "kafka": {"level": "WARNING"},
    },
}
