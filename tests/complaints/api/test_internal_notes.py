"""Internal notes never reach customers: not through comments, history, detail, lists or counts."""

import pytest

from complaints import services
from complaints.models import Complaint
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db

SECRET = "internal-only: customer is a known fraudster"


@pytest.fixture
def noted(customer, agent):
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    services.comment_create(complaint=complaint, author=agent, body="We are on it")
    before = Complaint.objects.get(pk=complaint.pk).updated_at
    note = services.comment_create(complaint=complaint, author=agent, body=SECRET, internal=True)
    return complaint, note, before


def _everything(client, complaint):
    paths = [
        f"/api/complaints/{complaint.pk}/",
        f"/api/complaints/by-ref/{complaint.reference}/",
        f"/api/complaints/{complaint.pk}/comments/",
        f"/api/complaints/{complaint.pk}/comments/?page_size=100",
        f"/api/complaints/{complaint.pk}/history/",
        "/api/complaints/",
        f"/api/complaints/?q={complaint.reference}",
    ]
    responses = {path: client.get(path) for path in paths}
    assert all(r.status_code == 200 for r in responses.values())
    return responses


def test_customer_sees_no_trace_of_internal_notes(customer_client, noted):
    complaint, note, updated_before = noted
    responses = _everything(customer_client, complaint)
    for path, response in responses.items():
        text = response.content.decode()
        assert SECRET not in text, path
        assert str(note.pk) not in text, path
        assert '"internal":true' not in text.replace(" ", ""), path
        assert '"is_internal":true' not in text.replace(" ", ""), path

    comments = responses[f"/api/complaints/{complaint.pk}/comments/"].json()
    assert comments["count"] == 1
    assert [c["body"] for c in comments["results"]] == ["We are on it"]

    history = responses[f"/api/complaints/{complaint.pk}/history/"].json()
    comment_entries = [e for e in history["results"] if e["kind"] == "comment_added"]
    assert len(comment_entries) == 1
    assert history["count"] == len(history["results"])

    # The internal note did not bump updated_at either.
    detail = responses[f"/api/complaints/{complaint.pk}/"].json()
    assert detail["updated_at"] == updated_before.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("role_client", ["agent_client", "supervisor_client", "admin_client_api"])
def test_staff_see_internal_notes(request, noted, role_client):
    complaint, note, _ = noted
    client = request.getfixturevalue(role_client)
    comments = client.get(f"/api/complaints/{complaint.pk}/comments/").json()
    assert comments["count"] == 2
    internal = [c for c in comments["results"] if c["internal"]]
    assert [c["body"] for c in internal] == [SECRET]
    history = client.get(f"/api/complaints/{complaint.pk}/history/").json()
    assert any(e["is_internal"] and e["to_value"] == str(note.pk) for e in history["results"])


def test_internal_flag_from_customer_is_rejected_not_downgraded(customer_client, customer):
    complaint = make_complaint(customer=customer)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/comments/", {"body": "x", "internal": True}, format="json"
    )
    assert response.status_code == 400
    assert "internal" in response.json()
    assert not complaint.comments.exists()
