"""Demo accounts for local development and demos. Passwords are public: never in production."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, User
from accounts.selectors import user_get_by_email
from accounts.services import user_create, user_set_role


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    role: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("customer@example.com", "dev-only-Maple-7314", "Casey Customer", Role.CUSTOMER),
    DemoUser("agent@example.com", "dev-only-Birch-2586", "Alex Agent", Role.AGENT),
    DemoUser("supervisor@example.com", "dev-only-Cedar-9041", "Sam Supervisor", Role.SUPERVISOR),
    DemoUser("admin@example.com", "dev-only-Aspen-6627", "Ada Admin", Role.ADMIN),
)


@transaction.atomic
def seed_demo_users() -> list[tuple[DemoUser, User, bool]]:
    """Create (or reset) the demo users; returns ``(spec, user, created)`` per demo user.

    Idempotent: an existing demo user keeps its id and gets its role, name and known
    password back, and is reactivated.
    """
    result = []
    for spec in DEMO_USERS:
        user = user_get_by_email(email=spec.email)
        created = user is None
        if created:
            user = user_create(
                email=spec.email, password=spec.password, full_name=spec.full_name, role=spec.role
            )
        else:
            user.full_name = spec.full_name
            user.is_active = True
            user.set_password(spec.password)
            user.save()
            if user.role != spec.role or not user.groups.filter(name=spec.role).exists():
                user_set_role(user=user, role=spec.role)
        result.append((spec, user, created))
    return result
