"""complaints.privacy: every text column of the complaint models has an erasure rule, and erasure
applies it.

A new text or encrypted column on a complaint model fails the first test until it is listed in
``complaints.privacy.TEXT_COLUMNS``; once listed as replaced or deleted, the second test writes
the user's marker into it and fails unless erasure removes it.
"""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from accounts.erasure import user_erase
from accounts.personal_data import ERASED_TEXT
from complaints.attachments import attachment_add
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Feedback,
    HistoryEntry,
    HistoryKind,
    IdempotencyKey,
)
from complaints.privacy import TEXT_COLUMNS, OnErasure
from tests.factories import ComplaintFactory

# Columns that hold text (the encrypted fields are TextFields underneath).
TEXT_FIELD_TYPES = (models.CharField, models.TextField, models.FileField, models.JSONField)
MARK = "Jane Roe +44 7700 900123"


def complaint_text_columns() -> dict[str, tuple[type[models.Model], models.Field]]:
    return {
        f"{model.__name__}.{field.name}": (model, field)
        for model in apps.get_app_config("complaints").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_FIELD_TYPES)
    }


def test_every_text_column_has_an_erasure_rule():
    assert set(complaint_text_columns()) == set(TEXT_COLUMNS)


def owned_rows(user) -> dict[type[models.Model], models.QuerySet]:
    """The rows that are ``user``'s to erase, written out by hand (not read from privacy.py)."""
    return {
        Complaint: Complaint.objects.filter(customer=user),
        Comment: Comment.objects.filter(author=user),
        Feedback: Feedback.objects.filter(complaint__customer=user),
        Attachment: Attachment.objects.filter(uploaded_by=user),
        HistoryEntry: HistoryEntry.objects.filter(actor=user, kind=HistoryKind.ATTACHMENT_ADDED),
        IdempotencyKey: IdempotencyKey.objects.filter(user=user),
    }


@pytest.fixture
def written_by_customer(customer, agent, category):
    """Something of every kind by the customer, and staff text beside it."""
    complaint = ComplaintFactory(customer=customer, category=category, status="in_progress")
    Comment.objects.create(complaint=complaint, author=customer, body="mine")
    Comment.objects.create(complaint=complaint, author=agent, body="Staff reply")
    attachment_add(
        complaint=complaint,
        uploader=customer,
        upload=SimpleUploadedFile("scan.txt", b"private", "text/plain"),
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        status="resolved", resolution="Staff resolution"
    )
    Feedback.objects.create(complaint=complaint, rating=2, comment="mine")
    IdempotencyKey.objects.create(
        user=customer, key="mine", request_fingerprint="0" * 64, complaint=complaint
    )
    columns = complaint_text_columns()
    erased = {name: rule for name, rule in TEXT_COLUMNS.items() if rule != OnErasure.KEPT}
    owned = owned_rows(customer)
    for name in erased:
        model, field = columns[name]
        assert owned[model].exists(), f"no row of the customer's to fill {name} in"
        if not isinstance(field, models.FileField):  # stored under a random name
            owned[model].update(**{field.name: f"{MARK} {field.name}"})
    return {name: set(owned[columns[name][0]].values_list("pk", flat=True)) for name in erased}


def snapshot(names) -> dict[tuple[str, object], object]:
    columns = complaint_text_columns()
    values = {}
    for name in names:
        model, field = columns[name]
        for pk, value in model.objects.values_list("pk", field.name):
            values[(name, pk)] = value
    return values


@pytest.mark.django_db
def test_erasure_applies_every_rule(customer, written_by_customer):
    kept = [name for name, rule in TEXT_COLUMNS.items() if rule == OnErasure.KEPT]
    kept_before = snapshot(kept)
    columns = complaint_text_columns()

    user_erase(user=customer)

    for name, pks in written_by_customer.items():
        model, field = columns[name]
        remaining = model.objects.filter(pk__in=pks)
        if TEXT_COLUMNS[name] == OnErasure.DELETED:
            assert not remaining.exists(), name
        else:
            assert set(remaining.values_list(field.name, flat=True)) == {ERASED_TEXT}, name
        leaks = [v for v in model.objects.values_list(field.name, flat=True) if MARK in str(v)]
        assert leaks == [], name
    assert snapshot(kept) == kept_before
    assert Complaint.objects.get(customer=customer).resolution == "Staff resolution"
    assert Comment.objects.filter(body="Staff reply").exists()
