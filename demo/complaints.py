"""Bulk demo data: many realistic complaints, with comments and feedback, fast.

* Rows are streamed into ``COPY`` (``demo.bulk``) while they are built, ``batch_size`` rows
  per statement. Every column is given explicitly (``updated_at`` included, consistent with
  the status), so the model and its ``auto_now`` are never touched.
* A load at least as big as the table (and of ``BULK_REBUILD_MIN`` rows or more) runs in one
  transaction with the complaint table's secondary indexes dropped and built again at the end:
  1M complaints load in a few minutes instead of an hour.
* References come from the real sequence, fetched before the load.
* Encrypted columns are encrypted by PostgreSQL (pgcrypto) with
  ``pgp_sym_encrypt(text, key, options)`` and the options of
  ``complaints_project.encrypted_fields``, never stored in clear:
  - ``encryption="per-row"``: every description is encrypted on its own, one function call
    per value, as the app does when it saves a complaint.
  - ``encryption="pool"`` (default): a pool of distinct descriptions (and the resolution,
    rejection, comment and feedback texts, and the empty string) is encrypted once, and rows
    reuse those ciphertexts. Same format and same decryption cost as real rows, a fraction of
    the insert time.
* Timestamps are consistent with each status (acknowledged before resolved before closed,
  all in the past, breach stamps only where a clock really ran out), spread over
  ``SPREAD_DAYS`` (two years). Some complaints carry comments (customer replies, staff
  replies, internal notes) and resolved or closed ones feedback with a rating.
* Words: see ``demo.vocabulary`` (a common subject such as ``parcel``, rare items).
* Search tokens (``complaints.search``) are written with each row: of its title, its
  description (computed once per pool text), its customer's name (once per customer) and its
  comments and notes (chosen before the row is written), so seeded complaints are searchable
  at once and hold the same tokens the services would write.
"""

import bisect
import itertools
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.blind_index import email_blind_index
from accounts.models import User
from accounts.roles import HANDLER_ROLES, Role
from complaints.models import (
    PRIORITY_SLA_FACTOR,
    REFERENCE_PREFIX,
    REFERENCE_SEQUENCE,
    Category,
    Channel,
    Comment,
    Complaint,
    Feedback,
    Priority,
)
from complaints.search import Scope, search_statistics_refresh, text_tokens
from complaints.services import complaint_create
from complaints.workflow import FINISHED_STATUSES, Status
from complaints_project.encrypted_fields import PGP_SYM_OPTIONS
from demo import bulk
from demo.vocabulary import (
    CUSTOMER_COMMENTS,
    DETAILS,
    FEEDBACK_COMMENTS,
    INTERNAL_NOTES,
    PROBLEMS,
    RARE_WORD_SHARE,
    RARE_WORDS,
    REJECTIONS,
    RESOLUTIONS,
    STAFF_COMMENTS,
    SUBJECTS,
)

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
PRIORITY_WEIGHTS = [
    (Priority.LOW, 20),
    (Priority.NORMAL, 55),
    (Priority.HIGH, 20),
    (Priority.URGENT, 5),
]
CHANNEL_WEIGHTS = [(Channel.WEB, 60), (Channel.API, 10), (Channel.EMAIL, 20), (Channel.PHONE, 10)]
# Comments per complaint, by weight; staff comments are internal notes INTERNAL_NOTE_SHARE
# of the time.
COMMENT_COUNT_WEIGHTS = [(0, 70), (1, 16), (2, 9), (3, 5)]
INTERNAL_NOTE_SHARE = 0.3
# Comments written by the assignee (when there is one); the others are the customer's.
STAFF_COMMENT_SHARE = 0.5
# Resolved and closed complaints rated by their customer, and the ratings given.
FEEDBACK_SHARE = 0.4
RATING_WEIGHTS = [(1, 10), (2, 8), (3, 14), (4, 30), (5, 38)]
FEEDBACK_COMMENT_SHARE = 0.5
DEMO_CUSTOMERS = 2000
DAYS_PER_WEEK = 7
# Complaints still new that already have an assignee (the rest of the queue is unassigned).
SHARE_ASSIGNED_WHILE_NEW = 0.3
DEMO_AGENTS = 12
SPREAD_DAYS = 730
DEFAULT_BATCH_SIZE = 50_000
BULK_REBUILD_MIN = 50_000


@dataclass
class SeedResult:
    created: int
    seconds: float
    categories: int
    customers: int
    handlers: int
    comments: int = 0
    feedback: int = 0

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


class _Weighted:
    """A weighted choice by bisection over cumulative weights (``random.choices`` is slower)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


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


def _encrypted_copy_values(texts: list[str]) -> list[str]:
    """Server-made ciphertexts of ``texts``, formatted for COPY once."""
    return [bulk.bytea(value) for value in _encrypt(texts)]


def _references(n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [REFERENCE_SEQUENCE, n])
        return [row[0] for row in cursor.fetchall()]


def _description(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(SUBJECTS)
    title = f"{rng.choice(PROBLEMS).capitalize()} {subject}"
    body = " ".join(rng.sample(DETAILS, k=rng.randint(1, 3)))
    return title, f"About my {subject}: {title.lower()}. {body}"


_STATUS_BY_AGE = [
    # (younger than, in days): statuses by weight
    (
        1,
        _Weighted(
            [
                (Status.NEW, 60),
                (Status.ACKNOWLEDGED, 25),
                (Status.IN_PROGRESS, 10),
                (Status.WITHDRAWN, 2),
                (Status.REJECTED, 3),
            ]
        ),
    ),
    (
        DAYS_PER_WEEK,
        _Weighted(
            [
                (Status.NEW, 8),
                (Status.ACKNOWLEDGED, 15),
                (Status.IN_PROGRESS, 30),
                (Status.AWAITING_CUSTOMER, 12),
                (Status.RESOLVED, 20),
                (Status.CLOSED, 5),
                (Status.REJECTED, 5),
                (Status.WITHDRAWN, 3),
                (Status.REOPENED, 2),
            ]
        ),
    ),
]
_STATUS_OLDER = _Weighted(
    [
        (Status.NEW, 1),
        (Status.ACKNOWLEDGED, 2),
        (Status.IN_PROGRESS, 6),
        (Status.AWAITING_CUSTOMER, 3),
        (Status.RESOLVED, 18),
        (Status.CLOSED, 58),
        (Status.REJECTED, 6),
        (Status.WITHDRAWN, 4),
        (Status.REOPENED, 2),
    ]
)


def _pick_status(rng: random.Random, age: timedelta) -> str:
    days = age.total_seconds() / 86400
    for younger_than, weighted in _STATUS_BY_AGE:
        if days < younger_than:
            return weighted.pick(rng)
    return _STATUS_OLDER.pick(rng)


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


@dataclass
class _Texts:
    """The texts rows draw from; ciphertexts already formatted for COPY."""

    pool: list[tuple[str, str]]
    descriptions: list[str]
    empty: str
    resolutions: list[str]
    rejections: list[str]
    customer_comments: list[str]
    staff_comments: list[str]
    internal_notes: list[str]
    feedback_comments: list[str]
    # The search tokens of each pool description and of each comment text, by index.
    pool_tokens: list[set[int]]
    comment_tokens: dict[str, list[set[int]]]


def _texts(rng: random.Random, *, pool_size: int, encrypt_pool: bool) -> _Texts:
    pool = [_description(rng) for _ in range(pool_size)]
    return _Texts(
        pool=pool,
        descriptions=_encrypted_copy_values([d for _, d in pool]) if encrypt_pool else [],
        empty=_encrypted_copy_values([""])[0],
        resolutions=_encrypted_copy_values(RESOLUTIONS),
        rejections=_encrypted_copy_values(REJECTIONS),
        customer_comments=_encrypted_copy_values(CUSTOMER_COMMENTS),
        staff_comments=_encrypted_copy_values(STAFF_COMMENTS),
        internal_notes=_encrypted_copy_values(INTERNAL_NOTES),
        feedback_comments=_encrypted_copy_values(FEEDBACK_COMMENTS),
        pool_tokens=[text_tokens(d) for _, d in pool],
        comment_tokens={
            "customer": [text_tokens(t) for t in CUSTOMER_COMMENTS],
            "staff": [text_tokens(t) for t in STAFF_COMMENTS],
            "internal": [text_tokens(t, scope=Scope.NOTE) for t in INTERNAL_NOTES],
        },
    )


@dataclass
class _Plan:
    """Everything a batch needs: who, what, when; and the counts of what was written."""

    rng: random.Random
    now: datetime
    texts: _Texts
    categories: list[Category]
    customer_ids: list[Any]
    handler_ids: list[Any]
    name_tokens: dict[Any, set[int]]
    offsets: list[float]
    references: list[int]
    per_row: bool
    comments: int = 0
    feedback: int = 0
    followups: list[dict] = field(default_factory=list)


_PRIORITIES = _Weighted(PRIORITY_WEIGHTS)
_CHANNELS = _Weighted(CHANNEL_WEIGHTS)
_COMMENT_COUNTS = _Weighted(COMMENT_COUNT_WEIGHTS)
_RATINGS = _Weighted(RATING_WEIGHTS)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _complaint(plan: _Plan, i: int) -> dict:
    rng = plan.rng
    created = plan.now - timedelta(seconds=plan.offsets[i])
    category = rng.choice(plan.categories)
    priority = _PRIORITIES.pick(rng)
    fields = _build(rng, created=created, now=plan.now, category=category, priority=priority)
    status = fields["status"]
    assignee = None
    if status != Status.NEW or rng.random() < SHARE_ASSIGNED_WHILE_NEW:
        assignee = rng.choice(plan.handler_ids)
    k = rng.randrange(len(plan.texts.pool))
    title, description = plan.texts.pool[k]
    if rng.random() < RARE_WORD_SHARE:
        title = f"{title} ({rng.choice(RARE_WORDS)})"
    number = plan.references[i]
    customer_id = rng.choice(plan.customer_ids)
    tokens = text_tokens(title) | plan.texts.pool_tokens[k] | plan.name_tokens[customer_id]
    if plan.per_row:
        tokens |= text_tokens(str(number))
    return {
        "id": _uuid(rng),
        "reference": f"{REFERENCE_PREFIX}{created.year}-{number:06d}",
        "customer_id": customer_id,
        "category_id": category.pk,
        "title": title,
        "description": f"{description} (#{number})" if plan.per_row else plan.texts.descriptions[k],
        "resolution": rng.choice(plan.texts.resolutions)
        if fields["resolved_at"] is not None
        else plan.texts.empty,
        "rejection_reason": rng.choice(plan.texts.rejections)
        if status == Status.REJECTED
        else plan.texts.empty,
        "channel": _CHANNELS.pick(rng),
        "priority": priority,
        "assignee_id": assignee,
        "search_tokens": tokens,  # the comments' words join in _followup
        **fields,
    }


COMPLAINT_COLUMNS = [
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
    "search_tokens",
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
]
_TIMES = COMPLAINT_COLUMNS[COMPLAINT_COLUMNS.index("created_at") :]


def _complaint_line(row: dict) -> str:
    times = "\t".join(bulk.timestamp(row[c]) for c in _TIMES)
    assignee = bulk.NULL if row["assignee_id"] is None else str(row["assignee_id"])
    tokens = "{" + ",".join(map(str, sorted(row["search_tokens"]))) + "}"
    return (
        f"{row['id']}\t{row['reference']}\t{row['customer_id']}\t{row['category_id']}\t"
        f"{bulk.text(row['title'])}\t{row['description']}\t{row['resolution']}\t"
        f"{row['rejection_reason']}\t{row['channel']}\t{row['priority']}\t{assignee}\t"
        f"{row['status']}\t{tokens}\t{times}\n"
    )


def _pick_comment(plan: _Plan, row: dict) -> tuple[str, bool, bool]:
    """(ciphertext, by staff, internal) of one comment; its words join the row's tokens."""
    rng, texts = plan.rng, plan.texts
    by_staff = row["assignee_id"] is not None and rng.random() < STAFF_COMMENT_SHARE
    internal = by_staff and rng.random() < INTERNAL_NOTE_SHARE
    kind = "internal" if internal else "staff" if by_staff else "customer"
    bodies = {
        "internal": texts.internal_notes,
        "staff": texts.staff_comments,
        "customer": texts.customer_comments,
    }[kind]
    j = rng.randrange(len(bodies))
    row["search_tokens"] |= texts.comment_tokens[kind][j]
    return bodies[j], by_staff, internal


def _followup(plan: _Plan, row: dict) -> None:
    """Choose this complaint's comments and remember what they and its feedback need (most
    get none), before its row is written: the comments' words are among its tokens."""
    comments = [_pick_comment(plan, row) for _ in range(_COMMENT_COUNTS.pick(plan.rng))]
    rated = row["status"] in {Status.RESOLVED, Status.CLOSED} and plan.rng.random() < FEEDBACK_SHARE
    if comments or rated:
        plan.followups.append(
            {
                "id": row["id"],
                "customer_id": row["customer_id"],
                "assignee_id": row["assignee_id"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "resolved_at": row["resolved_at"],
                "comments": comments,
                "rated": rated,
            }
        )


def _complaint_lines(plan: _Plan, rows: Iterator[dict]) -> Iterator[str]:
    for row in rows:
        _followup(plan, row)
        yield _complaint_line(row)


def _comment_lines(plan: _Plan) -> Iterator[str]:
    rng = plan.rng
    for item in plan.followups:
        for body, by_staff, internal in item["comments"]:
            author = item["assignee_id"] if by_staff else item["customer_id"]
            at = _between(rng, item["created_at"], item["updated_at"])
            plan.comments += 1
            yield f"{_uuid(rng)}\t{item['id']}\t{author}\t{body}\t{'t' if internal else 'f'}\t"
            yield f"{bulk.timestamp(at)}\n"


def _feedback_lines(plan: _Plan) -> Iterator[str]:
    rng, texts = plan.rng, plan.texts
    for item in plan.followups:
        if not item["rated"]:
            continue
        comment = (
            rng.choice(texts.feedback_comments)
            if rng.random() < FEEDBACK_COMMENT_SHARE
            else texts.empty
        )
        at = _between(
            rng, item["resolved_at"], min(item["resolved_at"] + timedelta(days=5), plan.now)
        )
        plan.feedback += 1
        yield f"{item['id']}\t{_RATINGS.pick(rng)}\t{comment}\t{bulk.timestamp(at)}\n"


def _load_batch(plan: _Plan, start: int, size: int) -> None:
    rows: Iterator[dict] = (_complaint(plan, i) for i in range(start, start + size))
    if plan.per_row:
        materialised = list(rows)
        ciphertexts = _encrypted_copy_values([row["description"] for row in materialised])
        for row, ciphertext in zip(materialised, ciphertexts, strict=True):
            row["description"] = ciphertext
        rows = iter(materialised)
    plan.followups = []
    bulk.copy_lines(Complaint._meta.db_table, COMPLAINT_COLUMNS, _complaint_lines(plan, rows))
    bulk.copy_lines(
        Comment._meta.db_table,
        ["id", "complaint_id", "author_id", "body", "is_internal", "created_at"],
        _comment_lines(plan),
    )
    bulk.copy_lines(
        Feedback._meta.db_table,
        ["complaint_id", "rating", "comment", "created_at"],
        _feedback_lines(plan),
    )


def _rebuild_indexes(n: int, rebuild_indexes: bool | None) -> bool:
    if rebuild_indexes is not None:
        return rebuild_indexes
    return n >= BULK_REBUILD_MIN and n >= Complaint.objects.count()


def seed_complaints(
    *,
    n: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    encryption: str = "pool",
    pool_size: int = 2000,
    seed: int | None = None,
    customers: list[User] | None = None,
    handlers: list[User] | None = None,
    progress: Callable[[int, float], None] | None = None,
    now: datetime | None = None,
    rebuild_indexes: bool | None = None,
) -> SeedResult:
    """Insert ``n`` complaints (and their comments and feedback); returns counts and timing.

    Demo users and categories are reused. ``rebuild_indexes`` None: decide by size (above).
    """
    if encryption not in {"pool", "per-row"}:
        raise ValueError("encryption must be 'pool' or 'per-row'")
    rng = random.Random(seed)
    started = time.perf_counter()
    categories = seed_categories()
    customers = list(customers or []) + _bulk_users(
        Role.CUSTOMER, min(DEMO_CUSTOMERS, max(20, n // 50)), "customer"
    )
    handlers = list(handlers or []) + _bulk_users(Role.AGENT, DEMO_AGENTS, "agent")
    spread = SPREAD_DAYS * 86400
    plan = _Plan(
        rng=rng,
        now=now or timezone.now(),
        texts=_texts(rng, pool_size=pool_size, encrypt_pool=encryption == "pool"),
        categories=categories,
        customer_ids=[u.pk for u in customers],
        handler_ids=[u.pk for u in handlers],
        name_tokens={u.pk: text_tokens(u.full_name, scope=Scope.NAME) for u in customers},
        # Creation times ascending, so references grow with time like real ones.
        offsets=sorted((rng.random() * spread for _ in range(n)), reverse=True),
        references=_references(n),
        per_row=encryption == "per-row",
    )
    rebuild = _rebuild_indexes(n, rebuild_indexes)
    with (
        transaction.atomic() if rebuild else nullcontext(),
        bulk.secondary_indexes_rebuilt(Complaint._meta.db_table) if rebuild else nullcontext(),
    ):
        for start in range(0, n, batch_size):
            with transaction.atomic():
                _load_batch(plan, start, min(batch_size, n - start))
            if progress:
                progress(min(start + batch_size, n), time.perf_counter() - started)
    with connection.cursor() as cursor:
        for model in (Complaint, Comment, Feedback):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    search_statistics_refresh()
    return SeedResult(
        created=n,
        seconds=time.perf_counter() - started,
        categories=len(categories),
        customers=len(customers),
        handlers=len(handlers),
        comments=plan.comments,
        feedback=plan.feedback,
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
