"""manage.py bootstrap: a fresh database gets categories and a first admin, once."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from accounts.selectors import user_get_by_email
from complaints.management.commands.bootstrap import DEFAULT_CATEGORIES
from complaints.models import Category
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_ENV = {
    "BOOTSTRAP_ADMIN_EMAIL": "First.Admin@Example.com",
    "BOOTSTRAP_ADMIN_PASSWORD": "a-long-unguessable-passphrase-42",
    "BOOTSTRAP_ADMIN_NAME": "First Admin",
}


@pytest.fixture
def admin_env(monkeypatch):
    for name, value in ADMIN_ENV.items():
        monkeypatch.setenv(name, value)


def test_fresh_database_gets_categories_and_the_first_admin(admin_env):
    call_command("bootstrap")

    assert set(Category.objects.values_list("slug", flat=True)) == {
        slug for _, slug, _, _ in DEFAULT_CATEGORIES
    }
    admin = user_get_by_email(email=ADMIN_ENV["BOOTSTRAP_ADMIN_EMAIL"])
    assert admin.role == Role.ADMIN
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.full_name == "First Admin"
    assert admin.check_password(ADMIN_ENV["BOOTSTRAP_ADMIN_PASSWORD"])


def test_running_it_again_changes_nothing(admin_env):
    call_command("bootstrap")
    before = (list(Category.objects.values_list("pk", "name")), User.objects.count())

    call_command("bootstrap")

    assert (list(Category.objects.values_list("pk", "name")), User.objects.count()) == before


def test_existing_categories_and_admin_are_left_alone(admin_env):
    CategoryFactory(name="Refunds", slug="refunds")
    UserFactory(role=Role.ADMIN)

    call_command("bootstrap")

    assert list(Category.objects.values_list("slug", flat=True)) == ["refunds"]
    assert user_get_by_email(email=ADMIN_ENV["BOOTSTRAP_ADMIN_EMAIL"]) is None


def test_only_inactive_categories_get_the_defaults_beside_them(admin_env):
    CategoryFactory(name="Billing", slug="billing", is_active=False)

    call_command("bootstrap")

    assert not Category.objects.get(slug="billing").is_active
    assert Category.objects.filter(is_active=True).count() == len(DEFAULT_CATEGORIES) - 1


def test_without_admin_variables_no_admin_is_made(monkeypatch):
    for name in ADMIN_ENV:
        monkeypatch.delenv(name, raising=False)

    call_command("bootstrap")

    assert not User.objects.filter(role=Role.ADMIN).exists()
    assert Category.objects.exists()


def test_a_weak_admin_password_is_refused(admin_env, monkeypatch):
    monkeypatch.setenv("BOOTSTRAP_ADMIN_PASSWORD", "123")

    with pytest.raises(CommandError, match="BOOTSTRAP_ADMIN_PASSWORD"):
        call_command("bootstrap")


def test_an_email_of_a_customer_is_not_promoted(admin_env):
    UserFactory(role=Role.CUSTOMER, email=ADMIN_ENV["BOOTSTRAP_ADMIN_EMAIL"].lower())

    call_command("bootstrap")

    assert not User.objects.filter(role=Role.ADMIN).exists()
