"""``manage.py admin_login_unlock (--email EMAIL | --ip ADDRESS | --all)``

Lifts an admin login lockout (django-axes) before its cool-off ends. Axes records accounts by
the blind index of their email, so its own ``axes_reset_username`` would need the hash.
"""

from axes.utils import reset
from django.core.management.base import BaseCommand, CommandError

from accounts.blind_index import email_blind_index


class Command(BaseCommand):
    help = "Unlock admin logins for an account (by email), a client IP, or everyone."

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--email", help="The locked-out account's email address.")
        target.add_argument("--ip", help="The locked-out client IP address.")
        target.add_argument("--all", action="store_true", help="Every recorded failure.")

    def handle(self, *args, email: str | None, ip: str | None, all: bool, **options):
        if email is not None:
            if not email.strip():
                raise CommandError("--email must not be empty.")
            removed = reset(username=email_blind_index(email))
        elif ip is not None:
            removed = reset(ip=ip)
        else:
            removed = reset()
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} failed-login record(s)."))
