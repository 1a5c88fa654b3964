"""The admin's canned responses: supervisors keep them; a handler inserts one into the work
form's text box, edits it and saves, which sends it as an ordinary public reply."""

import pytest
from django.test import Client
from django.urls import reverse

from complaints import canned_responses as canned
from complaints.models import CannedResponse, Comment
from complaints.workflow import Status
from tests.helpers.admin import empty_inline_management
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:complaints_cannedresponse_add")


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_adds_a_canned_response(supervisor):
    category = CategoryFactory.create()
    response = web_client(supervisor).post(
        ADD,
        {
            "title": "Refund",
            "body": "Dear {customer_first_name}",
            "category": category.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    saved = CannedResponse.objects.get()
    assert (saved.category, saved.created_by) == (category, supervisor)


def test_an_unknown_placeholder_is_an_error_on_the_form(supervisor):
    response = web_client(supervisor).post(
        ADD, {"title": "Refund", "body": "Dear {first_name}", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "Unknown placeholder {first_name}" in response.content.decode()
    assert not CannedResponse.objects.exists()


def test_agents_may_not_add_canned_responses(agent):
    response = web_client(agent).post(ADD, {"title": "T", "body": "b", "is_active": "on"})
    assert response.status_code == 403
    assert (
        web_client(agent).get(reverse("admin:complaints_cannedresponse_changelist")).status_code
        == 200
    )


def test_inserting_fills_the_text_box_and_saving_sends_the_edited_reply(agent):
    customer = UserFactory.create(full_name="Ada Lovelace")
    complaint = ComplaintFactory.create(customer=customer, status=Status.NEW)
    reply = canned.canned_response_create(
        actor=None, title="Apology", body="Dear {customer_first_name}, sorry about {reference}."
    )
    canned.canned_response_create(
        actor=None, title="Not here", body="x", category=CategoryFactory.create()
    )
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    client = web_client(agent)

    page = client.get(url).content.decode()
    assert "Apology" in page
    assert "Not here" not in page
    assert f"?canned_response={reply.pk}" in page

    form = client.get(url, {"canned_response": reply.pk}).context["adminform"].form
    expected = f"Dear Ada, sorry about {complaint.reference}."
    assert form["note_body"].value() == expected
    assert form["note_kind"].value() == "public"
    assert not Comment.objects.exists()  # inserting sends nothing

    response = client.post(
        url,
        {
            "new_status": "",
            "reason": "",
            "note_kind": "public",
            "note_body": expected + " We have refunded you.",
            **empty_inline_management(),
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get(complaint=complaint)
    assert comment.body == expected + " We have refunded you."
    assert not comment.is_internal


def test_an_unknown_or_foreign_canned_response_inserts_nothing(agent):
    complaint = ComplaintFactory.create()
    foreign = canned.canned_response_create(
        actor=None, title="Other", body="x", category=CategoryFactory.create()
    )
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    for chosen in (foreign.pk, "999999", "nonsense"):
        form = web_client(agent).get(url, {"canned_response": chosen}).context["adminform"].form
        assert not form["note_body"].value()
