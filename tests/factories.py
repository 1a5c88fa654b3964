"""factory-boy factories shared by every test package."""

import factory
from django.utils import timezone

from accounts.models import Role, User
from complaints.models import Category, Complaint, Priority

DEFAULT_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+4470000{n:05d}")
    email_verified_at = factory.LazyFunction(timezone.now)
    role = Role.CUSTOMER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save()
            from django.contrib.auth.models import Group

            self.groups.set([Group.objects.get_or_create(name=self.role)[0]])


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ComplaintFactory(factory.django.DjangoModelFactory):
    """Builds a complaint row directly; tests of behaviour should go through the services."""

    class Meta:
        model = Complaint

    reference = factory.Sequence(lambda n: f"CMP-2026-{900000 + n:06d}")
    customer = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    priority = Priority.NORMAL
    ack_due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=48))
    resolve_due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=10))
