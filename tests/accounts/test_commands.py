from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from tests.helpers.accounts import user_with_email


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_create_handler(role):
    run(
        "create_handler",
        "Staff.Member@Example.com",
        "--role",
        role,
        "--password",
        "Quiet-Lantern-93",
        "--full-name",
        "Staff Member",
    )

    user = user_with_email("staff.member@example.com")
    assert user.role == role
    assert user.full_name == "Staff Member"
    assert user.is_staff
    assert user.is_superuser is (role == Role.ADMIN)
    assert user.check_password("Quiet-Lantern-93")
    assert list(user.groups.values_list("name", flat=True)) == [role]


@pytest.mark.django_db
def test_create_handler_prompts_for_password(monkeypatch):
    answers = iter(["Quiet-Lantern-93", "Quiet-Lantern-93"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    run("create_handler", "prompted@example.com", "--role", "agent")

    user = user_with_email("prompted@example.com")
    assert user.check_password("Quiet-Lantern-93")
    # No name invented from the address: staff without one are shown by their title.
    assert user.full_name == ""
    assert user.display_name == "Support agent"


@pytest.mark.django_db
def test_create_handler_prompt_rejects_weak_then_mismatch(monkeypatch):
    answers = iter(
        ["123", "123", "Quiet-Lantern-93", "other", "Quiet-Lantern-93", "Quiet-Lantern-93"]
    )
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    run("create_handler", "retry@example.com", "--role", "supervisor")

    assert user_with_email("retry@example.com").check_password("Quiet-Lantern-93")


@pytest.mark.django_db
def test_create_handler_rejects_customer_role():
    with pytest.raises(CommandError):
        run(
            "create_handler",
            "x@example.com",
            "--role",
            "customer",
            "--password",
            "Quiet-Lantern-93",
        )


@pytest.mark.django_db
def test_create_handler_rejects_existing_email(agent):
    with pytest.raises(CommandError, match="already exists"):
        run(
            "create_handler",
            agent.email.upper(),
            "--role",
            "agent",
            "--password",
            "Quiet-Lantern-93",
        )


@pytest.mark.django_db
def test_create_handler_rejects_weak_password():
    with pytest.raises(CommandError):
        run("create_handler", "weak@example.com", "--role", "agent", "--password", "123")
    assert not User.objects.exists()
