"""``manage.py seed_demo``: demo users with known dev-only passwords.

Extend by adding arguments in ``add_arguments`` and a step method called from ``handle``
(e.g. ``--complaints N`` -> ``self.seed_complaints(n, users)``); keep the work itself in
functions outside the command, like ``accounts.demo.seed_demo_users``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import seed_demo_users


class Command(BaseCommand):
    help = "Create or reset demo users (customer, agent, supervisor, admin) with dev-only passwords."

    def add_arguments(self, parser) -> None:
        pass

    def handle(self, *args, **options) -> None:
        if getattr(settings, "IS_PROD", False):
            raise CommandError("seed_demo creates users with public passwords; not in production.")
        self.users = self.seed_users()

    def seed_users(self):
        seeded = seed_demo_users()
        self.stdout.write("Demo users (dev-only passwords):")
        for spec, _user, created in seeded:
            state = "created" if created else "exists, reset"
            self.stdout.write(f"  {spec.role:<11} {spec.email:<24} {spec.password}  ({state})")
        return seeded
