"""Input and output serializers of the statistics API."""

from rest_framework import serializers

from analytics.selectors import CSAT_RATINGS, DEFAULT_DAYS, MAX_DAYS


class StatsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS)


class CategoryCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    count = serializers.IntegerField()


class DayCountSerializer(serializers.Serializer):
    day = serializers.DateField()
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()


# Field names "1".."5" are not Python identifiers, so the class is built with type().
CsatDistributionSerializer = type(
    "CsatDistributionSerializer",
    (serializers.Serializer,),
    {
        str(r): serializers.IntegerField(help_text=f"Ratings of {r} star(s) in the window.")
        for r in CSAT_RATINGS
    },
)


class CsatSerializer(serializers.Serializer):
    responses = serializers.IntegerField(
        help_text="Feedback given in the window (the last `days` UTC days, today included)."
    )
    average_rating = serializers.FloatField(
        allow_null=True, help_text="Mean rating, 1-5; null when there is no feedback."
    )
    satisfied_share = serializers.FloatField(
        allow_null=True,
        help_text="Share (0-1) of ratings of 4 or 5 stars; null when there is no feedback.",
    )
    distribution = CsatDistributionSerializer(help_text="Number of ratings per star, 1-5.")


DURATION_HELP = (
    "From the duration histograms: within 5 % (or 0.5 s) of the exact value; null when no "
    "complaint counts."
)


def _seconds(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=f"{help_text} {DURATION_HELP}")


class PeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField(help_text="First UTC day of the window.")
    last_day = serializers.DateField(help_text="Last UTC day of the window (today).")
    created = serializers.IntegerField(help_text="Complaints filed in the window.")
    acknowledged = serializers.IntegerField(help_text="Complaints first acknowledged in it.")
    resolved = serializers.IntegerField(
        help_text="Complaints whose current resolution is in the window (a reopening takes it "
        "back)."
    )
    closed = serializers.IntegerField(help_text="Complaints closed in the window.")
    median_seconds_to_acknowledge = _seconds(
        "Median time from filing to acknowledgement of the complaints acknowledged in the window."
    )
    p90_seconds_to_acknowledge = _seconds("90th percentile of the same.")
    median_seconds_to_resolve = _seconds(
        "Median time from filing to resolution of the complaints resolved in the window."
    )
    p90_seconds_to_resolve = _seconds("90th percentile of the same.")


class StatsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField(
        help_text="When these figures were computed: answers are shared for a few seconds."
    )
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_priority = serializers.DictField(child=serializers.IntegerField())
    by_category = CategoryCountSerializer(many=True)
    median_seconds_to_acknowledge = _seconds(
        "Median time from filing to acknowledgement, over every acknowledged complaint."
    )
    p90_seconds_to_acknowledge = _seconds("90th percentile of the same.")
    median_seconds_to_resolve = _seconds(
        "Median time from filing to resolution, over every complaint resolved now."
    )
    p90_seconds_to_resolve = _seconds("90th percentile of the same.")
    sla_decided = serializers.IntegerField(
        help_text="Complaints whose SLA outcome is known (finished, or a due time has passed)."
    )
    sla_breached = serializers.IntegerField()
    sla_breach_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField(
        help_text="Open complaints whose running SLA clock is past its due time."
    )
    days = serializers.IntegerField()
    max_days = serializers.IntegerField(help_text="The longest window `days` may ask for.")
    per_day = DayCountSerializer(many=True)
    period = PeriodSerializer(help_text="Counts and durations of the window (`days`).")
    csat = CsatSerializer(help_text="Customer satisfaction from the feedback given in the window.")
