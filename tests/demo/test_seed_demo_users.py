"""seed_demo: the demo users, idempotent, able to log in, never in production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.selectors import user_get_by_email
from demo.users import DEMO_USERS


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    first = run("seed_demo")
    ids = {spec.email: user_get_by_email(email=spec.email).pk for spec in DEMO_USERS}
    user = user_get_by_email(email="agent@example.com")
    user.set_password("Changed-By-Someone-1")
    user.is_active = False
    user.save()

    second = run("seed_demo")

    assert User.objects.count() == len(DEMO_USERS) == 4
    for spec in DEMO_USERS:
        user = user_get_by_email(email=spec.email)
        assert user.pk == ids[spec.email]
        assert user.role == spec.role
        assert user.is_active
        assert user.check_password(spec.password)
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
        assert spec.email in first
        assert spec.password in first
    assert "created" in first
    assert "exists" in second


@pytest.mark.django_db
def test_seed_demo_users_can_log_in(api_client):
    run("seed_demo")

    for spec in DEMO_USERS:
        response = api_client.post(
            "/api/token/", {"email": spec.email, "password": spec.password}, format="json"
        )
        assert response.status_code == 200, spec.email


@pytest.mark.django_db
def test_seed_demo_refuses_in_production(settings):
    settings.IS_PROD = True

    with pytest.raises(CommandError):
        run("seed_demo")
