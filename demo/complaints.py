"""Bulk demo data: many realistic complaints, fast.

* ``COPY`` in batches (default 5,000 rows), one transaction per batch. Every column is given
  explicitly (``updated_at`` included, consistent with the status), so the model and its
  ``auto_now`` are never touched.
* References come from the real sequence, one round trip per batch
  (``SELECT nextval(...) FROM generate_series(1, n)``).
* Encrypted columns are encrypted by PostgreSQL (pgcrypto) with
  ``pgp_sym_encrypt(text, key, options)`` and the options of
  ``complaints_project.encrypted_fields``, never stored in clear:
  - ``encryption="per-row"``: every description is encrypted on its own, one function call
    per value, as the app does when it saves a complaint.
  - ``encryption="pool"`` (default): a pool of distinct descriptions (and the few
    resolution/rejection texts, and the empty string) is encrypted once, and rows reuse those
    ciphertexts. Same format and same decryption cost as real rows, a fraction of the insert
    time.
* Timestamps are consistent with each status (acknowledged before resolved before closed,
  all in the past, breach stamps only where a clock really ran out), spread over 90 days.
"""

import io
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.blind_index import email_blind_index
from accounts.models import User
from accounts.roles import HANDLER_ROLES, Role
from complaints.models import (
    PRIORITY_SLA_FACTOR,
    REFERENCE_SEQUENCE,
    Category,
    Channel,
    Complaint,
    Priority,
)
from complaints.services import complaint_create
from complaints.workflow import FINISHED_STATUSES, Status
from complaints_project.encrypted_fields import PGP_SYM_OPTIONS

DEMO_CATEGORIES = [
    # name, slug, acknowledge hours, resolve hours
    ("Billing", "billing", 24, 120),
    ("Delivery", "delivery", 24, 168),
    ("Product quality", "product-quality", 48, 240),
    ("Customer service", "customer-service", 24, 120),
    ("Website & app", "website-app", 48, 240),
    ("Refunds", "refunds", 24, 96),
    ("Privacy", "privacy", 8, 72),
    ("Other", "other", 72, 336),
]
SUBJECTS = [
    "invoice",
    "parcel",
    "refund",
    "order",
    "subscription",
    "delivery driver",
    "app login",
    "warranty claim",
    "phone line",
    "router",
    "payment",
    "voucher",
    "account",
    "kettle",
    "washing machine",
    "train ticket",
    "hotel booking",
    "insurance claim",
    "meter reading",
    "direct debit",
    "loyalty points",
    "return label",
    "password reset",
    "replacement part",
]
PROBLEMS = [
    "charged twice for",
    "never received my",
    "damaged",
    "wrong amount on my",
    "cannot use my",
    "still waiting for my",
    "rude staff about my",
    "late",
    "missing items in my",
    "no answer about my",
    "cancelled without notice:",
    "broken after a week:",
]
DETAILS = [
    "I contacted support twice and nobody called back.",
    "The tracking page has not changed for a week.",
    "I have attached the receipt and photos.",
    "This is the third time this happens this year.",
    "Please refund the difference to my card.",
    "Your chat bot closed the conversation without an answer.",
    "I expect a written explanation and compensation.",
    "The order number is on the confirmation email.",
]
RESOLUTIONS = [
    "Refund issued to the original payment method.",
    "Replacement dispatched with next-day delivery.",
    "Account corrected and a goodwill credit applied.",
    "Explained the charge; customer agreed it was correct.",
    "Fault fixed by the engineer on site.",
]
REJECTIONS = [
    "Outside the warranty period.",
    "Duplicate of an existing complaint.",
    "Not enough information after several requests.",
]
PRIORITY_WEIGHTS = [
    (Priority.LOW, 20),
    (Priority.NORMAL, 55),
    (Priority.HIGH, 20),
    (Priority.URGENT, 5),
]
CHANNEL_WEIGHTS = [(Channel.WEB, 60), (Channel.API, 10), (Channel.EMAIL, 20), (Channel.PHONE, 10)]
DEMO_CUSTOMERS = 2000
DAYS_PER_WEEK = 7
# Complaints still new that already have an assignee (the rest of the queue is unassigned).
SHARE_ASSIGNED_WHILE_NEW = 0.3
DEMO_AGENTS = 12
SPREAD_DAYS = 90


@dataclass
class SeedResult:
    created: int
    seconds: float
    categories: int
    customers: int
    handlers: int

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def seed_categories() -> list[Category]:
    cats = []
    for name, slug, ack, resolve in DEMO_CATEGORIES:
        cat, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "acknowledge_within_hours": ack,
                "resolve_within_hours": resolve,
            },
        )
        cats.append(cat)
    return cats


def _bulk_users(role: str, count: int, prefix: str) -> list[User]:
    """Demo users created in bulk (unusable passwords); existing ones are reused."""
    emails = [f"{prefix}{i:05d}@demo.example.com" for i in range(count)]
    hashes = {email_blind_index(e): e for e in emails}
    existing = list(
        User.objects.filter(email_hash__in=list(hashes)).only("id", "role", "email_hash")
    )
    have = {u.email_hash for u in existing}
    new_users = []
    for h, email in hashes.items():
        if h in have:
            continue
        user = User(
            email=email,
            email_hash=h,
            full_name=f"Demo {role.title()} {email.split('@')[0][len(prefix) :]}",
            role=role,
            is_staff=role in HANDLER_ROLES,
        )
        user.set_unusable_password()
        new_users.append(user)
    if new_users:
        User.objects.bulk_create(new_users, batch_size=1000)
        group, _ = Group.objects.get_or_create(name=role)
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=u.pk, group_id=group.pk) for u in new_users],
            batch_size=1000,
            ignore_conflicts=True,
        )
    return existing + new_users


def _encrypt(texts: list[str]) -> list[bytes]:
    """Encrypt texts server-side exactly as the fields do, one call per text; one round trip."""
    if not texts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgp_sym_encrypt(t, current_setting('app.pgcrypto_key'), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n",
            [PGP_SYM_OPTIONS, texts],
        )
        return [bytes(row[0]) for row in cursor.fetchall()]


COPY_COLUMNS = [
    "id",
    "reference",
    "customer_id",
    "category_id",
    "title",
    "description",
    "resolution",
    "rejection_reason",
    "channel",
    "priority",
    "assignee_id",
    "status",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "ack_breached_at",
    "resolve_breached_at",
    "sla_paused_at",
    "remedy_sought",
    "remedy_outcome",
    "review_reason",
    "review_outcome",
    "review_note",
]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_rows(rows: list[dict]) -> None:
    """COPY a batch straight into the table (ciphertexts are already server-made).

    COPY writes exactly the values given: no ``auto_now``, no ``pre_save``.
    """
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(row[c]) for c in COPY_COLUMNS))
        buffer.write("\n")
    buffer.seek(0)
    table = Complaint._meta.db_table
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT text)", buffer
        )


def _references(n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [REFERENCE_SEQUENCE, n])
        return [row[0] for row in cursor.fetchall()]


def _description(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(SUBJECTS)
    title = f"{rng.choice(PROBLEMS).capitalize()} {subject}"
    body = " ".join(rng.sample(DETAILS, k=rng.randint(1, 3)))
    return title, f"About my {subject}: {title.lower()}. {body}"


def _pick_status(rng: random.Random, age: timedelta) -> str:
    days = age.total_seconds() / 86400
    if days < 1:
        weights = {
            Status.NEW: 60,
            Status.ACKNOWLEDGED: 25,
            Status.IN_PROGRESS: 10,
            Status.WITHDRAWN: 2,
            Status.REJECTED: 3,
        }
    elif days < DAYS_PER_WEEK:
        weights = {
            Status.NEW: 8,
            Status.ACKNOWLEDGED: 15,
            Status.IN_PROGRESS: 30,
            Status.AWAITING_CUSTOMER: 12,
            Status.RESOLVED: 20,
            Status.CLOSED: 5,
            Status.REJECTED: 5,
            Status.WITHDRAWN: 3,
            Status.REOPENED: 2,
        }
    else:
        weights = {
            Status.NEW: 1,
            Status.ACKNOWLEDGED: 2,
            Status.IN_PROGRESS: 6,
            Status.AWAITING_CUSTOMER: 3,
            Status.RESOLVED: 18,
            Status.CLOSED: 58,
            Status.REJECTED: 6,
            Status.WITHDRAWN: 4,
            Status.REOPENED: 2,
        }
    statuses, w = zip(*weights.items(), strict=True)
    return rng.choices(statuses, weights=w)[0]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + (end - start) * rng.random()


def _build(rng, *, created: datetime, now: datetime, category: Category, priority: int) -> dict:
    factor = PRIORITY_SLA_FACTOR[Priority(priority)]
    ack_window = timedelta(hours=category.acknowledge_within_hours * factor)
    resolve_window = timedelta(hours=category.resolve_within_hours * factor)
    ack_due = created + ack_window
    resolve_due = created + resolve_window
    status = _pick_status(rng, now - created)
    ack_at = resolved_at = closed_at = None
    if status not in {Status.NEW, Status.WITHDRAWN}:
        ack_at = min(created + ack_window * rng.uniform(0.05, 1.3), now)
    if status in {Status.RESOLVED, Status.CLOSED, Status.REOPENED}:
        resolved_at = min(ack_at + resolve_window * rng.uniform(0.1, 1.4), now)
        if status == Status.CLOSED:
            closed_at = min(resolved_at + timedelta(days=rng.uniform(0, 7)), now)
        if status == Status.REOPENED:
            # Reopened: the resolve clock restarted after the customer reopened it.
            reopened = _between(rng, resolved_at, now)
            resolve_due = reopened + resolve_window
            resolved_at = None
    if status == Status.REJECTED:
        closed_at = None
    if status == Status.WITHDRAWN:
        ack_at = None
    last = max(t for t in (created, ack_at, resolved_at, closed_at) if t is not None)
    if status in {Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.REJECTED, Status.WITHDRAWN}:
        last = _between(rng, last, now)
    ack_breached = None
    if (ack_at is not None and ack_at > ack_due) or (
        ack_at is None and status == Status.NEW and ack_due < now
    ):
        ack_breached = ack_due
    resolve_breached = None
    finished = status in FINISHED_STATUSES
    if (resolved_at is not None and resolved_at > resolve_due) or (
        not finished and resolve_due < now
    ):
        resolve_breached = resolve_due
    return {
        "status": status,
        "created_at": created,
        "updated_at": last,
        "acknowledged_at": ack_at,
        "resolved_at": resolved_at,
        "closed_at": closed_at,
        "ack_due_at": ack_due,
        "resolve_due_at": resolve_due,
        "ack_breached_at": ack_breached,
        "resolve_breached_at": resolve_breached,
        # The resolve clock stands still while the complaint awaits the customer.
        "sla_paused_at": last if status == Status.AWAITING_CUSTOMER else None,
    }


def seed_complaints(
    *,
    n: int,
    batch_size: int = 5000,
    encryption: str = "pool",
    pool_size: int = 2000,
    seed: int | None = None,
    customers: list[User] | None = None,
    handlers: list[User] | None = None,
    progress: Callable[[int, float], None] | None = None,
    now: datetime | None = None,
) -> SeedResult:
    """Insert ``n`` complaints; returns counts and timing. Demo users/categories are reused."""
    if encryption not in {"pool", "per-row"}:
        raise ValueError("encryption must be 'pool' or 'per-row'")
    rng = random.Random(seed)
    now = now or timezone.now()
    started = time.perf_counter()
    categories = seed_categories()
    customers = list(customers or []) + _bulk_users(
        Role.CUSTOMER, min(DEMO_CUSTOMERS, max(20, n // 50)), "customer"
    )
    handlers = list(handlers or []) + _bulk_users(Role.AGENT, DEMO_AGENTS, "agent")
    customer_ids = [u.pk for u in customers]
    handler_ids = [u.pk for u in handlers]

    pool_texts = [_description(rng) for _ in range(pool_size)]
    empty = _encrypt([""])[0]
    resolutions = _encrypt(RESOLUTIONS)
    rejections = _encrypt(REJECTIONS)
    descriptions = _encrypt([d for _, d in pool_texts]) if encryption == "pool" else []

    priorities, pweights = zip(*PRIORITY_WEIGHTS, strict=True)
    channels, cweights = zip(*CHANNEL_WEIGHTS, strict=True)
    spread = SPREAD_DAYS * 86400
    # Creation times ascending, so references grow with time like real ones.
    offsets = sorted((rng.random() * spread for _ in range(n)), reverse=True)

    done = 0
    while done < n:
        size = min(batch_size, n - done)
        with transaction.atomic():
            numbers = _references(size)
            rows = []
            for i in range(size):
                created = now - timedelta(seconds=offsets[done + i])
                category = rng.choice(categories)
                priority = rng.choices(priorities, weights=pweights)[0]
                fields = _build(rng, created=created, now=now, category=category, priority=priority)
                k = rng.randrange(pool_size)
                status = fields["status"]
                assignee = None
                if status != Status.NEW or rng.random() < SHARE_ASSIGNED_WHILE_NEW:
                    assignee = rng.choice(handler_ids)
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "reference": f"CMP-{created.year}-{numbers[i]:06d}",
                        "customer_id": rng.choice(customer_ids),
                        "category_id": category.pk,
                        "title": pool_texts[k][0],
                        "description": descriptions[k]
                        if encryption == "pool"
                        else f"{pool_texts[k][1]} (#{numbers[i]})",
                        "resolution": rng.choice(resolutions)
                        if fields["resolved_at"] is not None
                        else empty,
                        "rejection_reason": rng.choice(rejections)
                        if status == Status.REJECTED
                        else empty,
                        "channel": rng.choices(channels, weights=cweights)[0],
                        "priority": priority,
                        "assignee_id": assignee,
                        # The bulk rows name no remedy and ask for no review.
                        "remedy_sought": empty,
                        "remedy_outcome": "",
                        "review_reason": empty,
                        "review_outcome": "",
                        "review_note": empty,
                        **fields,
                    }
                )
            if encryption == "per-row":
                ciphertexts = _encrypt([row["description"] for row in rows])
                for row, ciphertext in zip(rows, ciphertexts, strict=True):
                    row["description"] = ciphertext
            _copy_rows(rows)
        done += size
        if progress:
            progress(done, time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Complaint._meta.db_table}")
    return SeedResult(
        created=n,
        seconds=time.perf_counter() - started,
        categories=len(categories),
        customers=len(customers),
        handlers=len(handlers),
    )


SHOWCASE_COMPLAINTS = [
    ("delivery", "Parcel arrived crushed", "The box was crushed and the vase inside is broken."),
    (
        "billing",
        "Charged twice for one order",
        "Two identical card charges for order 1042.",
    ),
    (
        "refunds",
        "Refund not received after 3 weeks",
        "Jacket returned on the 2nd, still no refund.",
    ),
]


def seed_showcase_complaints(*, customer: User) -> list[Complaint]:
    """A few complaints filed through the real service (so they carry history and events).

    Only when the demo customer has none yet, so repeated ``make run`` stays idempotent.
    """
    if Complaint.objects.filter(customer=customer).exists():
        return []
    categories = {c.slug: c for c in seed_categories()}
    return [
        complaint_create(
            customer=customer,
            category=categories[slug],
            title=title,
            description=description,
            actor=customer,
        )
        for slug, title, description in SHOWCASE_COMPLAINTS
    ]
