"""POST /api/complaints/{id}/merge/, and a merged complaint's conversation read from the one
it joined (detail, comments, attachments), with constant query counts."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from complaints import merging, services
from complaints.attachments import attachment_add
from complaints.workflow import Status
from tests.helpers.api import client_for
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(complaint, rest: str = "") -> str:
    return f"/api/complaints/{complaint.pk}/{rest}"


def post_merge(client, duplicate, **body):
    return client.post(url(duplicate, "merge/"), body, format="json")


def test_staff_merge_by_reference_or_id(customer, agent_client):
    into = make_complaint(customer=customer)
    by_reference = make_complaint(customer=customer)
    by_id = make_complaint(customer=customer)

    first = post_merge(agent_client, by_reference, into_reference=into.reference.lower())
    second = post_merge(agent_client, by_id, into=str(into.pk))

    for response in (first, second):
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "merged"
        assert body["merged_into"] == {"id": str(into.pk), "reference": into.reference}
        assert body["merged_at"]
        assert body["allowed_transitions"] == []
        assert body["can_merge"] is False
    detail = agent_client.get(url(into)).json()
    assert [m["reference"] for m in detail["merged_complaints"]] == [
        by_reference.reference,
        by_id.reference,
    ]
    assert detail["merged_complaints"][0]["title"] == by_reference.title
    assert detail["merged_into"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "into"),
        ({"into": "not-a-uuid"}, "into"),
        ({"into_reference": "CMP-0000-000000"}, "into"),
    ],
)
def test_a_missing_or_unknown_target_is_400(customer, agent_client, body, field):
    duplicate = make_complaint(customer=customer)
    response = post_merge(agent_client, duplicate, **body)
    assert response.status_code == 400
    assert field in response.json()


def test_merging_into_itself_is_400(customer, agent_client):
    duplicate = make_complaint(customer=customer)
    response = post_merge(agent_client, duplicate, into=str(duplicate.pk))
    assert response.status_code == 400
    assert response.json() == {"into": ["A complaint cannot be merged into itself."]}


@pytest.mark.parametrize("status", ["closed", "rejected", "withdrawn", "merged"])
def test_merging_into_a_final_complaint_is_409(customer, agent_client, status):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer, status=status)
    response = post_merge(agent_client, duplicate, into_reference=into.reference)
    assert response.status_code == 409
    assert response.json()["current_status"] == status


def test_merging_a_merged_complaint_again_is_409(customer, agent_client):
    duplicate = make_complaint(customer=customer, status=Status.MERGED)
    into = make_complaint(customer=customer)
    response = post_merge(agent_client, duplicate, into=str(into.pk))
    assert response.status_code == 409
    assert response.json()["current_status"] == "merged"


def test_customers_get_403_on_their_own_and_404_on_others(
    customer, customer_client, other_customer_client
):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer)
    own = post_merge(customer_client, duplicate, into=str(into.pk))
    assert own.status_code == 403
    assert "code" not in own.json()
    other = post_merge(other_customer_client, duplicate, into=str(into.pk))
    assert (other.status_code, other.json()) == (404, {"detail": "Not found."})


def test_across_customers_agents_get_403_supervisors_merge(
    customer, other_customer, agent_client, supervisor_client
):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=other_customer)
    refused = post_merge(agent_client, duplicate, into=str(into.pk))
    assert refused.status_code == 403
    assert refused.json()["code"] == "supervisors_only"
    merged = post_merge(supervisor_client, duplicate, into=str(into.pk))
    assert merged.status_code == 200


# --------------------------------------------------------------------------- reading from A


def _attach(complaint, user, name):
    upload = SimpleUploadedFile(name, b"a receipt\n", content_type="text/plain")
    return attachment_add(complaint=complaint, uploader=user, upload=upload)


def _duplicate_with_conversation(customer, agent, into):
    duplicate = make_complaint(customer=customer)
    services.comment_create(complaint=duplicate, author=customer, body="Photo attached")
    services.comment_create(complaint=duplicate, author=agent, body="Staff only", internal=True)
    _attach(duplicate, customer, "receipt.txt")
    merging.complaint_merge(complaint=duplicate, into_id=into.pk, actor=agent)
    return duplicate


def test_the_duplicates_conversation_is_read_from_the_complaint_it_joined(
    customer, agent, customer_client, agent_client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    into = make_complaint(customer=customer)
    services.comment_create(complaint=into, author=customer, body="The first report")
    duplicate = _duplicate_with_conversation(customer, agent, into)

    mine = customer_client.get(url(into, "comments/")).json()["results"]
    assert [(c["body"], c["complaint_id"]) for c in mine] == [
        ("The first report", str(into.pk)),
        ("Photo attached", str(duplicate.pk)),
    ]
    staff = agent_client.get(url(into, "comments/")).json()["results"]
    assert [c["body"] for c in staff] == ["The first report", "Photo attached", "Staff only"]
    files = customer_client.get(url(into, "attachments/")).json()["results"]
    assert [(f["file_name"], f["complaint_id"]) for f in files] == [
        ("receipt.txt", str(duplicate.pk))
    ]
    download = customer_client.get(files[0]["download_url"])
    assert download.status_code == 200
    # The duplicate itself keeps its own conversation, read-only for the customer.
    own = customer_client.get(url(duplicate)).json()
    assert (own["can_comment"], own["can_upload"]) == (False, False)
    assert len(customer_client.get(url(duplicate, "comments/")).json()["results"]) == 1


def test_across_customers_the_other_customer_sees_nothing_of_the_duplicate(
    customer, other_customer, supervisor, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    into = make_complaint(customer=other_customer)
    duplicate = _duplicate_with_conversation(customer, supervisor, into)
    theirs = client_for(other_customer)

    detail = theirs.get(url(into)).json()
    assert detail["merged_complaints"] == []
    assert theirs.get(url(into, "comments/")).json()["results"] == []
    assert theirs.get(url(into, "attachments/")).json()["results"] == []
    history = theirs.get(url(into, "history/")).json()["results"]
    assert duplicate.reference not in str(history)
    # The duplicate's customer is not shown the other customer's complaint either.
    own = client_for(customer).get(url(duplicate)).json()
    assert (own["status"], own["merged_into"]) == ("merged", None)
    staff = client_for(supervisor).get(url(into)).json()
    assert [m["reference"] for m in staff["merged_complaints"]] == [duplicate.reference]


MAX_DETAIL = 3  # auth user, complaint (merge links in the same query), nothing per merged one
MAX_SUB_LIST = 5  # auth user, complaint, count, page (+ the user's groups for staff)


@pytest.mark.parametrize("n", [1, 8])
@pytest.mark.parametrize("who", ["customer", "agent"])
def test_query_counts_do_not_grow_with_merged_complaints(
    customer, agent, settings, tmp_path, django_assert_max_num_queries, n, who
):
    settings.MEDIA_ROOT = str(tmp_path)
    into = make_complaint(customer=customer)
    for _ in range(n):
        _duplicate_with_conversation(customer, agent, into)
    client = client_for(customer if who == "customer" else agent)

    with django_assert_max_num_queries(MAX_DETAIL):
        detail = client.get(url(into))
    assert len(detail.json()["merged_complaints"]) == n
    for path, per_duplicate in (("comments/", 1 if who == "customer" else 2), ("attachments/", 1)):
        with django_assert_max_num_queries(MAX_SUB_LIST):
            listing = client.get(url(into, path), {"page_size": 100})
        assert listing.json()["count"] == n * per_duplicate


def test_merge_answers_with_constant_queries(customer, agent, django_assert_max_num_queries):
    into = make_complaint(customer=customer)
    for _ in range(5):
        merging.complaint_merge(
            complaint=make_complaint(customer=customer), into_id=into.pk, actor=agent
        )
    root = make_complaint(customer=customer)
    # Lock both, save, re-point the five, three history rows, the event, then the answer.
    with django_assert_max_num_queries(16):
        response = post_merge(client_for(agent), into, into=str(root.pk))
    assert response.status_code == 200


def test_unknown_complaint_is_404(agent_client):
    response = agent_client.post(
        f"/api/complaints/{uuid.uuid4()}/merge/", {"into": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 404


def test_admins_may_merge_too(customer):
    admin = UserFactory.create(role=Role.ADMIN)
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer)
    response = post_merge(client_for(admin), duplicate, into=str(into.pk))
    assert response.status_code == 200
