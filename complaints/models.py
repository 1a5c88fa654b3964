import uuid
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from complaints.workflow import RESOLVE_CLOCK_STATUSES, Status
from complaints_project import encrypted_fields as encrypted

REFERENCE_SEQUENCE = "complaints_reference_seq"
# Every reference starts with it: "CMP-<year>-<number>".
REFERENCE_PREFIX = "CMP-"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Priority(models.IntegerChoices):
    """Stored as a number so that ordering by priority is meaningful and indexable."""

    LOW = 1, "low"
    NORMAL = 2, "normal"
    HIGH = 3, "high"
    URGENT = 4, "urgent"

    @classmethod
    def from_name(cls, name: str) -> "Priority":
        return {p.label: p for p in cls}[name]


# SLA clocks shrink with priority: hours from the category are multiplied by this factor.
PRIORITY_SLA_FACTOR = {
    Priority.LOW: 1.5,
    Priority.NORMAL: 1.0,
    Priority.HIGH: 0.5,
    Priority.URGENT: 0.25,
}


class RemedyOutcome(models.TextChoices):
    """What became of the remedy the customer asked for (ISO 10002), recorded at the end."""

    GRANTED = "granted", "Granted"
    PARTIALLY_GRANTED = "partially_granted", "Partially granted"
    DECLINED = "declined", "Declined"


class ReviewOutcome(models.TextChoices):
    """How a supervisor concluded the customer's internal review."""

    UPHELD = "upheld", "Decision upheld"
    CHANGED = "changed", "Decision changed"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def when(moment: datetime) -> str:
    """A moment as the admin's row captions say it (the organisation's time zone)."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone (e.g. Europe/London).")


class BusinessCalendar(models.Model):
    """When SLA clocks run: working hours per weekday in a time zone, minus holidays.

    The organisation's calendar is the one marked ``is_default``; a category may name its own.
    With none configured the clocks run around the clock (``business_time.ALWAYS_OPEN``).
    """

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA name, e.g. Europe/London."
    )
    is_default = models.BooleanField(
        default=False, help_text="The organisation's calendar, used by categories without one."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="business_calendar_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One working interval of a weekday, on the calendar's wall clock; closes 00:00 = 24:00."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")) | Q(closes_at=time(0)),
                name="working_hours_close_after_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Holiday(models.Model):
    """A whole local day on which the calendar's clocks stand still."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_calendar")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)
    acknowledge_within_hours = models.PositiveIntegerField(default=48)
    resolve_within_hours = models.PositiveIntegerField(default=240)
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_categories",
    )
    business_calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text="Overrides the organisation's calendar for this category's SLA clocks.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


def _list_indexes(lead: list[str], name: str) -> list[models.Index]:
    """B-tree indexes serving the list orderings (see ``filters.ordering_with_tiebreak``)."""
    return [
        models.Index(fields=[*lead, "-created_at", "-id"], name=f"{name}created_id"),
        models.Index(fields=[*lead, "-updated_at", "-created_at", "-id"], name=f"{name}updated_id"),
        models.Index(fields=[*lead, "-priority", "-created_at", "-id"], name=f"{name}priority_id"),
        models.Index(
            fields=[*lead, "resolve_due_at", "created_at", "id"], name=f"{name}resolve_due_id"
        ),
        models.Index(
            fields=[*lead, "-last_customer_activity_at", "-created_at", "-id"],
            name=f"{name}activity_id",
        ),
    ]


class ComplaintState(Protocol):
    """What the visibility, overdue and capability rules read of a complaint.

    A ``Complaint`` is one; so is a read path's row of plain values (``policies.StateValues``),
    which lets the list and detail answer ``is_overdue`` and the ``can_*`` flags without
    building model instances.
    """

    @property
    def status(self) -> str: ...

    @property
    def customer_id(self) -> uuid.UUID: ...

    @property
    def assignee_id(self) -> uuid.UUID | None: ...

    @property
    def resolved_at(self) -> datetime | None: ...

    @property
    def acknowledged_at(self) -> datetime | None: ...

    @property
    def ack_due_at(self) -> datetime: ...

    @property
    def resolve_due_at(self) -> datetime: ...

    @property
    def review_requested_at(self) -> datetime | None: ...

    @property
    def review_concluded_at(self) -> datetime | None: ...


class Complaint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The FK columns are indexed as the first column of the composite indexes in Meta.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", db_index=False
    )
    title = models.CharField(max_length=200)
    description = encrypted.EncryptedTextField()
    resolution = encrypted.EncryptedTextField(blank=True, default="")
    rejection_reason = encrypted.EncryptedTextField(blank=True, default="")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_complaints",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # When the customer last did something staff are told of in the app (filing, then each
    # notice with the in-app channel in ``complaints.notification_matrix``): the queue's
    # "unread activity" marker and its ordering read it.
    last_customer_activity_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ack_due_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField()
    # Set once when the SLA scan first sees the breach, so each breach is announced once.
    ack_breached_at = models.DateTimeField(null=True, blank=True)
    resolve_breached_at = models.DateTimeField(null=True, blank=True)
    # The resolve clock stands still while the complaint awaits the customer: when it stopped,
    # and the business time it has stood still since it last (re)started.
    sla_paused_at = models.DateTimeField("resolve clock paused since", null=True, blank=True)
    # db_default too: bulk loaders (the demo seed's COPY) write rows without it.
    sla_paused = models.DurationField(
        "business time paused", default=timedelta(0), db_default=timedelta(0)
    )
    # A duplicate merged into another complaint (status ``merged``): always a complaint that
    # is not merged itself (merging re-points what was merged into the duplicate).
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_complaints",
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # ISO 10002: the remedy the customer asks for when filing (optional), and its outcome,
    # recorded by the handler when resolving or rejecting.
    remedy_sought = encrypted.EncryptedTextField(blank=True, default="")
    remedy_outcome = models.CharField(
        max_length=20, choices=RemedyOutcome.choices, blank=True, default=""
    )
    # The internal review the customer may ask for once after a final answer, and how a
    # supervisor concluded it.
    review_requested_at = models.DateTimeField(null=True, blank=True)
    review_reason = encrypted.EncryptedTextField(blank=True, default="")
    review_concluded_at = models.DateTimeField(null=True, blank=True)
    review_concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_outcome = models.CharField(
        max_length=10, choices=ReviewOutcome.choices, blank=True, default=""
    )
    review_note = encrypted.EncryptedTextField(blank=True, default="")

    # The keyed blind index of its words (complaints/search.py): HMACs, never plaintext.
    search_tokens = ArrayField(
        models.BigIntegerField(), default=list, db_default=[], blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        # Only what the measured queries use (docs/performance.md, "Indexes"; the proof is
        # bench/bench_indexes.py): every index costs each write and each query's planning.
        indexes = [
            # Every list ordering (filters.ORDERING_FIELDS + the created_at/id tiebreak, read
            # forwards or backwards) is one index scan, alone and after assignee (the handler
            # queue: mine or unassigned, whatever "Sort by" the Streamlit queue offers).
            *_list_indexes([], "complaint_"),
            *_list_indexes(["assignee"], "complaint_asg_"),
            # assignee=me&status=… newest first, and the open workload per handler.
            models.Index(
                fields=["assignee", "status", "-created_at", "-id"],
                name="complaint_asg_status_created",
            ),
            # A customer's own list and a status filter, newest first, and their counts; their
            # other orderings sort a few rows or walk an ordering index above. Also the
            # customer and category foreign keys' indexes.
            models.Index(
                fields=["customer", "-created_at", "-id"], name="complaint_cust_created_id"
            ),
            models.Index(fields=["status", "-created_at", "-id"], name="complaint_stat_created_id"),
            models.Index(fields=["category", "-created_at"], name="complaint_category_created"),
            # The SLA scan (complaints/sla.py) reads only running clocks not yet stamped as
            # breached, oldest due first: a few rows, however many complaints there are.
            models.Index(
                fields=["ack_due_at"],
                name="complaint_sla_ack_running",
                condition=Q(status=Status.NEW, acknowledged_at__isnull=True)
                & Q(ack_breached_at__isnull=True),
            ),
            models.Index(
                fields=["resolve_due_at"],
                name="complaint_sla_resolve_running",
                condition=Q(status__in=sorted(RESOLVE_CLOCK_STATUSES))
                & Q(resolve_breached_at__isnull=True),
            ),
            # The supervisors' queue of internal reviews to conclude, oldest request first.
            models.Index(
                fields=["review_requested_at"],
                name="complaint_review_open",
                condition=Q(review_requested_at__isnull=False, review_concluded_at__isnull=True),
            ),
            # ``q`` words (complaints/search.py): ``search_tokens && ARRAY[...]`` for rare words;
            # common ones are checked on the rows an ordering index yields. Reference prefix
            # search uses the ``varchar_pattern_ops`` index Django creates for ``reference``.
            GinIndex(fields=["search_tokens"], name="complaint_search_tokens", fastupdate=False),
        ]
        constraints = [
            # Merged exactly when it names the complaint it joined (never itself) and when.
            models.CheckConstraint(
                condition=(
                    Q(status=Status.MERGED, merged_into__isnull=False, merged_at__isnull=False)
                    & ~Q(merged_into=F("id"))
                )
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="complaint_merged_into_iff_merged",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaint_comments"
    )
    body = encrypted.EncryptedTextField()
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["complaint", "is_internal", "created_at"], name="comment_visible")
        ]

    def __str__(self) -> str:
        kind = "Internal note" if self.is_internal else "Public reply"
        return f"{kind}, {when(self.created_at)}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    # The stored name is random; the sanitised original name is kept in the row.
    return f"attachments/{instance.complaint_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaint_attachments"
    )
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)  # of the plaintext
    # The file is encrypted under its own key, kept here wrapped by a master key
    # (complaints/attachment_crypto.py). An empty key_id marks a file stored before that,
    # still plaintext until `manage.py encrypt_attachments` has run.
    key_id = models.CharField(max_length=32, blank=True, default="")
    wrapped_key = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class HistoryKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS_CHANGED = "status_changed", "Status changed"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    ASSIGNEE_CHANGED = "assignee_changed", "Assignee changed"
    CATEGORY_CHANGED = "category_changed", "Category changed"
    COMMENT_ADDED = "comment_added", "Comment added"
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    FEEDBACK_RECEIVED = "feedback_received", "Feedback received"
    SLA_BREACHED = "sla_breached", "SLA breached"
    MERGED = "merged", "Merged"
    REVIEW_REQUESTED = "review_requested", "Internal review requested"
    REVIEW_CONCLUDED = "review_concluded", "Internal review concluded"


class HistoryEntry(models.Model):
    """Append-only record of every change to a complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system made the change.",
    )
    kind = models.CharField(max_length=24, choices=HistoryKind.choices)
    from_value = models.CharField(max_length=100, blank=True, default="")
    to_value = models.CharField(max_length=100, blank=True, default="")
    # Entries about internal notes (and their attachments) are hidden from customers.
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "history entries"
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="history_complaint"),
            # Triage's round-robin asks "when was this agent last assigned?" per agent.
            models.Index(
                fields=["to_value", "-created_at"],
                name="history_last_assigned",
                condition=Q(kind="assignee_changed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {when(self.created_at)}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("History entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("History entries are append-only.")


RATING_MIN, RATING_MAX = 1, 5


class Feedback(models.Model):
    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField()
    comment = encrypted.EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN) & Q(rating__lte=RATING_MAX),
                name="feedback_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Rated {self.rating}/{RATING_MAX}"


class IdempotencyKey(models.Model):
    """Remembers what a (user, Idempotency-Key) pair created, so retries create nothing: a
    complaint, or a comment (``comment`` set, ``complaint`` its complaint)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"Idempotency key {self.key} of {self.user_id}"


class CannedResponse(models.Model):
    """A reply text staff insert into the composer; ``body`` may use the fixed placeholders
    of ``complaints.canned_responses.PLACEHOLDERS``. No category: offered on every complaint."""

    title = models.CharField(max_length=100)
    body = models.TextField(max_length=5000)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="canned_responses",
        help_text="Offered only on this category's complaints; empty: on every complaint.",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["category", "title"], name="canned_response_category")]

    def __str__(self) -> str:
        return self.title


class ComplaintSeen(models.Model):
    """When a staff member last opened a complaint: customer activity after it is unread
    for them (``complaints.read_activity``)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index of the list's lookup (complaint, viewer).
            models.UniqueConstraint(fields=["complaint", "user"], name="complaint_seen_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.complaint_id} at {self.seen_at}"
