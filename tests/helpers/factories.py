"""factory-boy factories shared by every test package."""

from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role, User
from complaints.models import Category, Complaint, Priority
from complaints.search import SearchSource, tokens_for

DEFAULT_PASSWORD = "Correct-Horse-42"


def _set_password_and_group(user: User, create: bool, extracted: str | None, **_: Any) -> None:
    user.set_password(extracted or DEFAULT_PASSWORD)
    if create:
        user.save()
        user.groups.set([Group.objects.get_or_create(name=user.role)[0]])


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+4470000{n:05d}")
    email_verified_at = factory.LazyFunction(timezone.now)
    role = Role.CUSTOMER

    password = factory.PostGeneration(_set_password_and_group)


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ComplaintFactory(factory.django.DjangoModelFactory[Complaint]):
    """Builds a complaint row directly; tests of behaviour should go through the services."""

    class Meta:
        model = Complaint

    reference = factory.Sequence(lambda n: f"CMP-2026-{900000 + n:06d}")
    customer = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    priority = Priority.NORMAL
    ack_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=48))
    resolve_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    # What complaint_create writes, so factory-made complaints are searchable too.
    search_tokens = factory.LazyAttribute(
        lambda o: tokens_for(
            SearchSource(
                title=o.title, description=o.description, customer_name=o.customer.full_name
            )
        )
    )
