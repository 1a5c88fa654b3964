"""``manage.py probe [CHECK ...]``: run readiness checks and exit 1 if one fails.

The healthcheck of the containers that serve no HTTP (relay, consumer): each probes the
dependencies it works with. Names are those of ``settings.HEALTH_CHECKS`` without ``check_``
(database, cache, kafka, outbox, consumer_lag); none means all.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints_project.health import check_name, run_checks


class Command(BaseCommand):
    help = "Run readiness checks (all, or the named ones); exit 1 if one fails."

    def add_arguments(self, parser) -> None:
        parser.add_argument("checks", nargs="*", metavar="CHECK")

    def handle(self, *args, checks: list[str], **options) -> None:
        known = {check_name(path) for path in settings.HEALTH_CHECKS}
        unknown = set(checks) - known
        if unknown:
            raise CommandError(f"unknown check(s): {', '.join(sorted(unknown))}")
        ready, results = run_checks(set(checks) or None)
        self.stdout.write(json.dumps(results, sort_keys=True))
        if not ready:
            raise CommandError("not ready")
