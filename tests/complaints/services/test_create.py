import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import Role
from complaints import services
from complaints.models import Category, Channel, Complaint, HistoryKind, Priority
from complaints.workflow import Status
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^CMP-\d{4}-\d{6,}$")


def _create(customer, category, **kwargs):
    return services.complaint_create(
        customer=customer,
        category=category,
        title=kwargs.pop("title", "Late delivery"),
        description=kwargs.pop("description", "Two weeks late."),
        actor=kwargs.pop("actor", customer),
        **kwargs,
    )


def test_create_sets_reference_status_sla_history_and_event(customer, event_log):
    category = CategoryFactory(acknowledge_within_hours=10, resolve_within_hours=100)
    complaint = _create(customer, category, priority=Priority.HIGH, channel=Channel.PHONE)

    assert REFERENCE.match(complaint.reference)
    assert complaint.reference.startswith(f"CMP-{complaint.created_at.year}-")
    assert complaint.status == Status.NEW
    assert complaint.channel == Channel.PHONE
    assert complaint.ack_due_at - complaint.created_at == timedelta(hours=5)
    assert complaint.resolve_due_at - complaint.created_at == timedelta(hours=50)
    entry = complaint.history.get()
    assert (entry.kind, entry.actor, entry.to_value) == (HistoryKind.CREATED, customer, "new")
    (sent,) = event_log.named("created")
    assert sent["complaint_id"] == str(complaint.pk)
    assert sent["actor_id"] == str(customer.pk)


@pytest.mark.parametrize(
    ("priority", "factor"),
    [(Priority.LOW, 1.5), (Priority.NORMAL, 1.0), (Priority.HIGH, 0.5), (Priority.URGENT, 0.25)],
)
def test_sla_due_times_scale_with_priority(customer, priority, factor):
    category = CategoryFactory(acknowledge_within_hours=8, resolve_within_hours=80)
    complaint = _create(customer, category, priority=priority)
    assert complaint.ack_due_at - complaint.created_at == timedelta(hours=8 * factor)
    assert complaint.resolve_due_at - complaint.created_at == timedelta(hours=80 * factor)


def test_references_are_sequential_and_unique(customer, category):
    refs = [_create(customer, category).reference for _ in range(5)]
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == sorted(numbers)
    assert len(set(refs)) == 5


def test_inactive_category_is_rejected(customer):
    category = CategoryFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        _create(customer, category)
    assert "category" in exc.value.message_dict
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("title", ""), ("title", "x" * 201), ("description", "   ")]
)
def test_bad_text_is_rejected(customer, category, field, value):
    with pytest.raises(ValidationError) as exc:
        _create(customer, category, **{field: value})
    assert field in exc.value.message_dict


def test_failed_create_leaves_nothing_behind(customer, category, event_log):
    with pytest.raises(ValidationError):
        _create(customer, category, channel="pigeon")
    assert not Complaint.objects.exists()
    assert event_log.types() == []


@pytest.mark.django_db(transaction=True)
def test_references_are_unique_under_concurrency():
    customer = UserFactory(role=Role.CUSTOMER)
    category = CategoryFactory()
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                results.append(_create(customer, Category.objects.get(pk=category.pk)).reference)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(results) == 40
    assert len(set(results)) == 40
    assert all(REFERENCE.match(ref) for ref in results)
    assert Complaint.objects.count() == 40
