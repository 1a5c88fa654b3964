import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.blind_index import email_blind_index
from accounts.erasure import ERASED_NAME, user_erase
from accounts.models import User
from accounts.personal_data import ERASED_TEXT
from complaints.models import Attachment, Comment, Complaint, Feedback, HistoryEntry
from tests.accounts._data import complaint_with_everything
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, ComplaintFactory

ME = "/api/users/me/"


@pytest.fixture
def mine(customer, agent, category):
    return complaint_with_everything(customer=customer, agent=agent, category=category, tag="MINE")


@pytest.mark.django_db(transaction=True)
def test_erase_anonymises_and_blocks_login(api_client, customer, agent, category):
    mine = complaint_with_everything(customer=customer, agent=agent, category=category, tag="MINE")
    email = customer.email
    tokens = api_client.post(
        "/api/token/", {"email": email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    client = client_for(customer)
    file_name = mine.attachment.file.name
    storage = mine.attachment.file.storage
    assert storage.exists(file_name)

    response = client.delete(ME)

    assert response.status_code == 204
    user = User.objects.get(pk=customer.pk)
    assert user.full_name == ERASED_NAME
    assert user.phone == ""
    assert user.email.startswith("erased-")
    assert user.email.endswith("@invalid")
    assert not user.has_usable_password()
    assert user.is_active is False
    assert user.erased_at is not None
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()

    # No way back in: login, refresh and the still-unexpired access token all fail.
    login = api_client.post(
        "/api/token/", {"email": email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login.status_code == 401
    assert (
        api_client.post(
            "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        ).status_code
        == 401
    )
    assert client.get(ME).status_code == 401
    # The address is free again: signing up with it creates a new account.
    assert (
        api_client.post(
            "/api/users/",
            {"email": email, "password": "Quiet-Lantern-93", "full_name": "Back Again"},
            format="json",
        ).status_code
        == 202
    )
    assert User.objects.get(email_hash=email_blind_index(email)).full_name == "Back Again"

    # What the customer wrote is gone, the complaint's facts remain.
    complaint = Complaint.objects.get(pk=mine.complaint.pk)
    assert complaint.description == ERASED_TEXT
    assert complaint.title == ERASED_TEXT
    assert (complaint.status, complaint.category_id, complaint.customer_id) == (
        "closed",
        category.pk,
        customer.pk,
    )
    assert complaint.created_at == mine.complaint.created_at
    assert Comment.objects.get(pk=mine.own_comment.pk).body == ERASED_TEXT
    assert Comment.objects.get(pk=mine.staff_comment.pk).body == "MINE staff reply"
    feedback = Feedback.objects.get(pk=mine.feedback.pk)
    assert (feedback.rating, feedback.comment) == (4, ERASED_TEXT)
    assert HistoryEntry.objects.filter(complaint=complaint).count() == 2
    assert not Attachment.objects.filter(pk=mine.attachment.pk).exists()
    assert Attachment.objects.filter(pk=mine.internal_attachment.pk).exists()
    assert not storage.exists(file_name)


@pytest.mark.django_db
def test_erased_text_is_not_in_the_database(customer, mine):
    user_erase(user=customer)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgp_sym_decrypt(description, %s) FROM complaints_complaint WHERE id = %s",
            [settings.PGCRYPTO_KEY, mine.complaint.pk],
        )
        assert cursor.fetchone()[0] == ERASED_TEXT


@pytest.mark.django_db
def test_erase_is_idempotent(customer):
    first = user_erase(user=customer)
    email = first.email

    second = user_erase(user=customer)

    assert second.email == email
    assert second.erased_at == first.erased_at


@pytest.mark.django_db
def test_erase_leaves_other_users_alone(customer, other_customer, agent, category):
    theirs = complaint_with_everything(
        customer=other_customer, agent=agent, category=category, tag="THEIRS"
    )

    user_erase(user=customer)

    other_customer.refresh_from_db()
    assert other_customer.is_active
    assert Complaint.objects.get(pk=theirs.complaint.pk).description.startswith("THEIRS")
    assert Comment.objects.get(pk=theirs.own_comment.pk).body == "THEIRS my comment"


@pytest.mark.django_db
def test_empty_feedback_comment_stays_empty(customer, category):
    complaint = ComplaintFactory(customer=customer, category=category)
    feedback = Feedback.objects.create(complaint=complaint, rating=2, comment="")

    user_erase(user=customer)

    assert Feedback.objects.get(pk=feedback.pk).comment == ""


@pytest.mark.django_db
def test_erase_removes_uploaded_file_names_from_history(customer, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from complaints.attachments import attachment_add
    from complaints.models import HistoryKind
    from tests.complaints.services.helpers import make_complaint

    complaint = make_complaint(customer=customer, category=category)
    upload = SimpleUploadedFile("Jane Roe passport scan.txt", b"private", "text/plain")
    attachment_add(complaint=complaint, uploader=customer, upload=upload)

    user_erase(user=customer)

    entry = HistoryEntry.objects.get(complaint=complaint, kind=HistoryKind.ATTACHMENT_ADDED)
    assert "Jane Roe" not in entry.to_value
    assert entry.to_value == ERASED_TEXT
