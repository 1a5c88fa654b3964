from django.apps import AppConfig
from django.core import checks


class ComplaintsConfig(AppConfig):
    name = "complaints"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.personal_data import personal_data_provider_register
        from complaints import events
        from complaints.attachment_crypto import check_master_keys
        from complaints.notification_matrix import register_kinds
        from complaints.privacy import PERSONAL_DATA_PROVIDER

        personal_data_provider_register(PERSONAL_DATA_PROVIDER)
        events.register_handlers()
        register_kinds()
        checks.register(check_master_keys, checks.Tags.security)
