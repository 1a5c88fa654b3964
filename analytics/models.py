"""What ``/api/stats/`` reads: aggregates kept up to date by the event handlers.

``ComplaintFact`` is analytics' record of what it has counted for each complaint (its share of
every aggregate below); ``analytics.services.sync_complaint`` moves a complaint's share from its
stored fact to its current one in one transaction, so the aggregates always equal the sum over
the facts. The stats request reads the aggregates only, never the complaints or the facts.
See docs/analytics.md.
"""

from django.db import models


class DurationMetric(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Time to acknowledge"
    RESOLVE = "resolve", "Time to resolve"


class ComplaintFact(models.Model):
    """One complaint as the aggregates count it right now (derived data, rebuilt at will).

    Days are UTC days; the buckets are ``analytics.histogram`` buckets of the duration since
    the complaint was created. The SLA flags depend on the time: they were evaluated at the last
    sync, and ``recheck_at`` is when they may change by time alone (the next due time).
    """

    complaint_id = models.UUIDField(primary_key=True)
    status = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField()
    category_id = models.BigIntegerField()
    created_day = models.DateField()
    acknowledged_day = models.DateField(null=True)
    acknowledge_bucket = models.SmallIntegerField(null=True)
    resolved_day = models.DateField(null=True)
    resolve_bucket = models.SmallIntegerField(null=True)
    closed_day = models.DateField(null=True)
    rating = models.SmallIntegerField(null=True)
    rated_day = models.DateField(null=True)
    sla_decided = models.BooleanField()
    sla_breached = models.BooleanField()
    overdue = models.BooleanField()
    recheck_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["recheck_at"],
                name="fact_recheck_at",
                condition=models.Q(recheck_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"fact {self.complaint_id}"


class ComplaintCount(models.Model):
    """Complaints right now per (status, priority, category), with their SLA outcome."""

    status = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField()
    category_id = models.BigIntegerField()
    complaints = models.IntegerField(default=0)
    # Complaints whose SLA outcome is known / that breached an SLA clock / overdue now.
    sla_decided = models.IntegerField(default=0)
    sla_breached = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "priority", "category_id"], name="complaint_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status}/{self.priority}/{self.category_id}: {self.complaints}"


class DailyComplaintStats(models.Model):
    """Per UTC day: complaints created, acknowledged, resolved and closed that day, the
    breaches among those created that day, and the ratings given that day.

    ``resolved`` counts complaints whose current resolution falls on the day: a reopening
    takes it back, the next resolution counts on its own day.
    """

    day = models.DateField(unique=True)
    created = models.IntegerField(default=0)
    acknowledged = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    # Complaints created that day that breached (or are breaching) an SLA clock.
    sla_breached = models.IntegerField(default=0)
    rating_1 = models.IntegerField(default=0)
    rating_2 = models.IntegerField(default=0)
    rating_3 = models.IntegerField(default=0)
    rating_4 = models.IntegerField(default=0)
    rating_5 = models.IntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "daily complaint stats"

    def __str__(self) -> str:
        return f"{self.day}: +{self.created} / resolved {self.resolved}"


class DurationHistogram(models.Model):
    """All complaints acknowledged (resolved) so far, per duration bucket."""

    metric = models.CharField(max_length=12, choices=DurationMetric.choices)
    bucket = models.SmallIntegerField()
    complaints = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "bucket"], name="duration_histogram_key")
        ]

    def __str__(self) -> str:
        return f"{self.metric}[{self.bucket}]: {self.complaints}"


class DailyDurationHistogram(models.Model):
    """Complaints acknowledged (resolved) on a UTC day, per duration bucket."""

    day = models.DateField()
    metric = models.CharField(max_length=12, choices=DurationMetric.choices)
    bucket = models.SmallIntegerField()
    complaints = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Day first: the stats window is a range of days.
            models.UniqueConstraint(
                fields=["day", "metric", "bucket"], name="daily_duration_histogram_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}[{self.bucket}]: {self.complaints}"
