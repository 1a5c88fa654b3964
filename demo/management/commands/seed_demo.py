"""``manage.py seed_demo``: demo users with known dev-only passwords, and demo complaints.

Without ``--complaints``: the demo users, the demo categories and a few showcase complaints
filed through the real service. With ``--complaints N``: the demo users and N bulk-inserted
complaints, then the daily statistics of the seeded period. The work itself lives in
``demo.users`` and ``demo.complaints``; this command only calls it and prints.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Role
from analytics.services import refresh_daily_stats_range
from demo.complaints import (
    DEFAULT_BATCH_SIZE,
    SPREAD_DAYS,
    seed_categories,
    seed_complaints,
    seed_showcase_complaints,
)
from demo.users import seed_demo_users


class Command(BaseCommand):
    help = (
        "Create or reset demo users (customer, agent, supervisor, admin) with dev-only passwords."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--complaints",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-insert N demo complaints (see demo.complaints).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per COPY statement."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed: the same seed, the same data."
        )
        parser.add_argument(
            "--encryption",
            choices=["pool", "per-row"],
            default="pool",
            help="pool: reuse server-encrypted texts (fast); per-row: encrypt every description.",
        )

    def handle(self, *args, **options) -> None:
        if getattr(settings, "IS_PROD", False):
            raise CommandError("seed_demo creates users with public passwords; not in production.")
        users = self.seed_users()
        if options.get("complaints"):
            self.seed_complaints(options["complaints"], users, options)
        else:
            self.seed_showcase(users)

    def seed_users(self):
        seeded = seed_demo_users()
        self.stdout.write("Demo users (dev-only passwords):")
        for spec, _user, created in seeded:
            state = "created" if created else "exists, reset"
            self.stdout.write(f"  {spec.role:<11} {spec.email:<24} {spec.password}  ({state})")
        return seeded

    def seed_showcase(self, users) -> None:
        categories = seed_categories()
        customer = next(user for spec, user, _ in users if spec.role == Role.CUSTOMER)
        filed = seed_showcase_complaints(customer=customer)
        self.stdout.write(
            f"Demo categories: {len(categories)}; showcase complaints filed: {len(filed)}."
        )

    def seed_complaints(self, n: int, users, options) -> None:
        def progress(done: int, seconds: float) -> None:
            self.stdout.write(f"  {done:>9} complaints  {done / seconds:>8.0f}/s")

        demo = {spec.role: user for spec, user, _ in users}
        result = seed_complaints(
            n=n,
            batch_size=options["batch_size"],
            encryption=options["encryption"],
            seed=options["seed"],
            customers=[demo[Role.CUSTOMER]] if Role.CUSTOMER in demo else [],
            handlers=[u for role, u in demo.items() if role != Role.CUSTOMER],
            progress=progress,
        )
        today = timezone.now().date()
        refresh_daily_stats_range(start_day=today - timedelta(days=SPREAD_DAYS + 1), end_day=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.created} complaints ({result.comments} comments, "
                f"{result.feedback} feedback) in {result.seconds:.1f}s "
                f"({result.rate:.0f}/s, encryption={options['encryption']})."
            )
        )
