"""``manage.py create_handler EMAIL --role agent|supervisor|admin [--password P] [--full-name N]``

Creates a staff account through ``accounts.services.user_create``.
"""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import HANDLER_ROLES
from accounts.selectors import user_get_by_email
from accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create a staff account (agent, supervisor or admin). Prompts for the password if omitted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=sorted(HANDLER_ROLES))
        parser.add_argument("--password", help="Prompted for (not echoed) when omitted.")
        parser.add_argument("--full-name", dest="full_name", default="")

    def handle(self, *args, email: str, role: str, password: str | None, full_name: str, **options):
        if user_get_by_email(email=email) is not None:
            raise CommandError("A user with this email address already exists.")
        if password is None:
            password = self._prompt_password(email=email, full_name=full_name)
        try:
            user = user_create(email=email, password=password, full_name=full_name, role=role)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.role} {user.id}"))

    def _prompt_password(self, *, email: str, full_name: str) -> str:
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("Passwords do not match.")
                continue
            try:
                validate_password(password, User(email=email, full_name=full_name))
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return password
        raise CommandError("No valid password given.")
