"""``manage.py bootstrap``: what a fresh stack needs before it can take a complaint.

Idempotent, run by the migrate service after every ``migrate``:

- the default categories, when no active category exists (a complaint needs one);
- the first admin, from ``BOOTSTRAP_ADMIN_EMAIL`` / ``BOOTSTRAP_ADMIN_PASSWORD`` (and optional
  ``BOOTSTRAP_ADMIN_NAME``), when no active admin exists. Without those variables no admin is
  made; ``manage.py create_handler`` makes one later.

Nothing changes when categories and an admin already exist.
"""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.selectors import role_has_active_users, user_get_by_email
from accounts.services import user_create
from complaints.selectors import category_list
from complaints.services import category_create

# (name, slug, acknowledge within hours, resolve within hours)
DEFAULT_CATEGORIES = (
    ("Billing", "billing", 24, 120),
    ("Delivery", "delivery", 24, 120),
    ("Product quality", "product-quality", 48, 240),
    ("Customer service", "customer-service", 48, 240),
    ("Other", "other", 48, 240),
)


class Command(BaseCommand):
    help = "Create the default categories and the first admin of a fresh stack (idempotent)."

    def handle(self, *args, **options) -> None:
        self._categories()
        self._first_admin()

    def _categories(self) -> None:
        if category_list(user=None).exists():
            self.stdout.write("categories: active categories exist, none created")
            return
        created = []
        for name, slug, ack_hours, resolve_hours in DEFAULT_CATEGORIES:
            try:
                category_create(
                    actor=None,
                    name=name,
                    slug=slug,
                    acknowledge_within_hours=ack_hours,
                    resolve_within_hours=resolve_hours,
                )
            except ValidationError:
                continue  # an inactive category holds that name or slug: left as it is
            created.append(slug)
        self.stdout.write(f"categories: created {', '.join(created) or 'none'}")

    def _first_admin(self) -> None:
        if role_has_active_users(role=Role.ADMIN):
            self.stdout.write("admin: an active admin exists, none created")
            return
        email = os.environ.get("BOOTSTRAP_ADMIN_EMAIL", "").strip()
        password = os.environ.get("BOOTSTRAP_ADMIN_PASSWORD", "")
        if not email:
            self.stdout.write(
                "admin: none exists; set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD "
                "or run `manage.py create_handler EMAIL --role admin`"
            )
            return
        if not password:
            raise CommandError("BOOTSTRAP_ADMIN_EMAIL is set but BOOTSTRAP_ADMIN_PASSWORD is not")
        if user_get_by_email(email=email) is not None:
            # Not fatal: the stack still starts; the operator promotes or picks another address.
            self.stderr.write(
                "admin: none created, BOOTSTRAP_ADMIN_EMAIL belongs to an account that is not "
                "an active admin"
            )
            return
        full_name = os.environ.get("BOOTSTRAP_ADMIN_NAME", "").strip() or email.split("@", 1)[0]
        try:
            user = user_create(email=email, password=password, full_name=full_name, role=Role.ADMIN)
        except ValidationError as exc:
            raise CommandError("BOOTSTRAP_ADMIN_PASSWORD: " + "; ".join(exc.messages)) from exc
        self.stdout.write(f"admin: created {user.id}")
