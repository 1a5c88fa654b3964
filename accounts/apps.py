from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.jwt_keys import install_token_backend
        from accounts.refresh_tokens import drop_token_before_save
        from accounts.roles import sync_role_groups

        install_token_backend()

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        pre_save.connect(
            drop_token_before_save,
            sender=OutstandingToken,
            dispatch_uid="accounts.drop_token_before_save",
        )
