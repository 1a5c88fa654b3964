from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.jwt_keys import install_token_backend
        from accounts.roles import sync_role_groups

        install_token_backend()

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
