"""seed_demo --complaints N: fast bulk insert of consistent, encrypted demo complaints."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from analytics.models import DailyComplaintStats
from complaints.models import Category, Comment, Complaint, Feedback
from complaints.search import SearchSource, tokens_for
from complaints.workflow import FINISHED_STATUSES, Status
from demo.complaints import SPREAD_DAYS, seed_complaints
from tests.helpers.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_seed_command_creates_n_quickly():
    out = StringIO()
    started = time.perf_counter()
    call_command("seed_demo", "--complaints", "600", "--batch-size", "250", stdout=out)
    elapsed = time.perf_counter() - started
    assert Complaint.objects.count() == 600
    assert elapsed < 60
    text = out.getvalue()
    assert "Created 600 complaints" in text
    assert "/s" in text
    assert DailyComplaintStats.objects.filter(created__gt=0).exists()

    # Idempotent-ish: users and categories are reused, complaints are added.
    users, categories = User.objects.count(), Category.objects.count()
    call_command("seed_demo", "--complaints", "50", stdout=StringIO())
    assert Complaint.objects.count() == 650
    assert User.objects.count() == users
    assert Category.objects.count() == categories


@pytest.mark.parametrize("encryption", ["pool", "per-row"])
def test_seeded_rows_are_consistent_and_encrypted(encryption):
    now = timezone.now()
    seed_complaints(n=300, batch_size=100, encryption=encryption, seed=7, now=now, pool_size=50)
    rows = list(Complaint.objects.all())
    assert len(rows) == 300
    assert len({c.reference for c in rows}) == 300
    statuses = {c.status for c in rows}
    assert len(statuses) >= 5
    for c in rows:
        assert c.reference.startswith(f"CMP-{c.created_at.year}-")
        assert now - timedelta(days=SPREAD_DAYS) <= c.created_at <= now
        assert c.created_at <= c.updated_at <= now
        assert c.ack_due_at > c.created_at
        assert c.resolve_due_at > c.created_at
        if c.acknowledged_at:
            assert c.created_at <= c.acknowledged_at <= now
        if c.resolved_at:
            assert c.acknowledged_at is not None
            assert c.acknowledged_at <= c.resolved_at <= now
            assert c.resolution
        if c.closed_at:
            assert c.resolved_at is not None
            assert c.resolved_at <= c.closed_at <= now
        if c.status == Status.NEW:
            assert c.acknowledged_at is None
        if c.status == Status.REJECTED:
            assert c.rejection_reason
        if c.status in FINISHED_STATUSES:
            assert c.resolve_breached_at is None or c.resolved_at is not None
        assert c.description.startswith("About my ")
    # Stored encrypted: the raw column is PGP data, not the text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM complaints_complaint LIMIT 1")
        raw = bytes(cursor.fetchone()[0])
    assert b"About my" not in raw


def test_seeded_comments_and_feedback_are_consistent_and_encrypted():
    now = timezone.now()
    result = seed_complaints(n=400, batch_size=150, seed=11, now=now, pool_size=40)
    comments = list(Comment.objects.select_related("complaint"))
    feedback = list(Feedback.objects.select_related("complaint"))
    assert result.comments == len(comments) > 0
    assert result.feedback == len(feedback) > 0
    for comment in comments:
        complaint = comment.complaint
        assert complaint.created_at <= comment.created_at <= complaint.updated_at
        assert comment.author_id in {complaint.customer_id, complaint.assignee_id}
        assert comment.body
        assert not comment.is_internal or comment.author_id == complaint.assignee_id
    for item in feedback:
        assert item.complaint.status in {Status.RESOLVED, Status.CLOSED}
        resolved_at = item.complaint.resolved_at
        assert resolved_at is not None
        assert resolved_at <= item.created_at <= now
        assert 1 <= item.rating <= 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM complaints_comment LIMIT 1")
        raw = bytes(cursor.fetchone()[0])
    assert comments[0].body.encode() not in raw


def _complaint_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'complaints_complaint'"
        )
        return dict(cursor.fetchall())


def test_a_load_with_rebuilt_indexes_leaves_every_index_as_it_was():
    before = _complaint_indexes()
    seed_complaints(n=120, batch_size=50, seed=5, pool_size=10, rebuild_indexes=True)
    assert Complaint.objects.count() == 120
    assert _complaint_indexes() == before


def test_titles_carry_common_and_rare_words():
    seed_complaints(n=2000, seed=2, pool_size=200)
    common = Complaint.objects.filter(title__icontains="parcel").count()
    rare = Complaint.objects.filter(title__contains="(").count()
    assert 20 < common < 400
    assert 20 < rare < 300


@pytest.mark.parametrize("encryption", ["pool", "per-row"])
def test_a_save_during_seeding_still_stamps_updated_at(encryption):
    long_ago = timezone.now() - timedelta(days=30)
    other = ComplaintFactory.create()
    Complaint.objects.filter(pk=other.pk).update(updated_at=long_ago)
    stamped = []

    def save_other_complaint(done: int, seconds: float) -> None:
        # Runs between batches, while the seeding is under way in this process.
        complaint = Complaint.objects.get(pk=other.pk)
        complaint.title = f"Edited after {done}"
        complaint.save()
        stamped.append(Complaint.objects.get(pk=other.pk).updated_at)

    seed_complaints(
        n=20,
        batch_size=10,
        encryption=encryption,
        seed=3,
        pool_size=5,
        progress=save_other_complaint,
    )

    assert len(stamped) == 2
    assert all(updated_at > long_ago + timedelta(days=29) for updated_at in stamped)


@pytest.mark.parametrize("encryption", ["pool", "per-row"])
def test_seeded_rows_carry_the_tokens_the_services_would_write(encryption):
    seed_complaints(n=60, batch_size=20, encryption=encryption, seed=3, pool_size=10)
    comments: dict = {}
    for complaint_id, body, internal in Comment.objects.values_list(
        "complaint_id", "body", "is_internal"
    ):
        comments.setdefault(complaint_id, []).append((body, internal))
    assert comments
    for complaint in Complaint.objects.select_related("customer"):
        expected = tokens_for(
            SearchSource(
                title=complaint.title,
                description=complaint.description,
                customer_name=complaint.customer.full_name,
                comments=comments.get(complaint.pk, ()),
            )
        )
        assert complaint.search_tokens == expected
