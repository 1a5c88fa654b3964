"""Project-wide system checks."""

from django.conf import settings
from django.core.checks import Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@register()
def check_mail_host(app_configs, **kwargs) -> list[Warning]:
    """Production sends mail over SMTP: without a host every notification is retried, then lost."""
    if settings.IS_PROD and settings.EMAIL_BACKEND == SMTP_BACKEND and not settings.EMAIL_HOST:
        return [
            Warning(
                "EMAIL_HOST is not set: no email (receipts, status changes) can be sent.",
                hint="Set EMAIL_HOST and EMAIL_PORT (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
                "EMAIL_USE_TLS or EMAIL_USE_SSL as your provider needs); see docs/deploy.md.",
                id="complaints_project.W001",
            )
        ]
    return []
