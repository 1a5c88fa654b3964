from django.apps import AppConfig
from django.core import checks


class ComplaintsConfig(AppConfig):
    name = "complaints"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from complaints.attachment_crypto import check_master_keys

        checks.register(check_master_keys, checks.Tags.security)
