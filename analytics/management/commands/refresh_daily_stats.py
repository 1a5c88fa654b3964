from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.services import refresh_daily_stats_range


class Command(BaseCommand):
    help = "Recompute the daily complaint aggregates for the last N days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, days: int, **options):
        today = timezone.now().date()
        written = refresh_daily_stats_range(
            start_day=today - timedelta(days=max(days, 1) - 1), end_day=today
        )
        self.stdout.write(self.style.SUCCESS(f"Refreshed {written} day(s)."))
