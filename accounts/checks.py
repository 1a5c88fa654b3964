"""System checks of the accounts app."""

from django.core.checks import Error, register

from accounts.jwt_keys import InvalidKey, verifying_keys


@register()
def check_jwt_keys(app_configs, **kwargs) -> list[Error]:
    """The token keys parse: a bad key would otherwise first fail on the first login."""
    try:
        verifying_keys()
    except InvalidKey as exc:
        return [Error(str(exc), id="accounts.E001")]
    return []
