from django.db import models
from django.utils import timezone


class DailyComplaintStats(models.Model):
    """Per-day complaint counts (UTC days), recomputed from the complaints table.

    Rows are derived data: ``analytics.services.refresh_daily_stats`` rebuilds a day from
    scratch, so refreshing twice (or on a redelivered event) gives the same row.
    """

    day = models.DateField(unique=True)
    created = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    # Complaints created that day that breached (or are breaching) an SLA clock.
    sla_breached = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "daily complaint stats"

    def __str__(self) -> str:
        return f"{self.day}: +{self.created} / resolved {self.resolved}"
