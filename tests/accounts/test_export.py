import json

import pytest

from tests.helpers.personal_data import complaint_with_everything

URL = "/api/users/me/export/"


@pytest.fixture
def mine(customer, agent, category):
    return complaint_with_everything(customer=customer, agent=agent, category=category, tag="MINE")


@pytest.fixture
def theirs(other_customer, agent, category):
    return complaint_with_everything(
        customer=other_customer, agent=agent, category=category, tag="THEIRS"
    )


@pytest.mark.django_db
def test_export_requires_authentication(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.django_db
def test_export_contains_the_callers_data(customer_client, customer, mine, theirs):
    response = customer_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert set(data) == {
        "exported_at",
        "profile",
        "complaints",
        "comments",
        "feedback",
        "attachments",
    }
    assert data["profile"]["email"] == customer.email
    assert data["profile"]["full_name"] == customer.full_name
    assert data["profile"]["phone"] == customer.phone

    [complaint] = data["complaints"]
    assert complaint["reference"] == mine.complaint.reference
    assert complaint["description"] == "MINE description with personal details"
    assert [c["body"] for c in complaint["comments"]] == ["MINE my comment", "MINE staff reply"]
    assert [c["author"] for c in complaint["comments"]] == ["you", "staff"]
    assert [h["kind"] for h in complaint["history"]] == ["created"]
    assert [a["original_name"] for a in complaint["attachments"]] == ["MINE-receipt.pdf"]
    assert complaint["feedback"]["rating"] == 4
    assert complaint["feedback"]["comment"] == "MINE feedback"

    assert [c["body"] for c in data["comments"]] == ["MINE my comment"]
    assert [f["comment"] for f in data["feedback"]] == ["MINE feedback"]
    assert [a["original_name"] for a in data["attachments"]] == ["MINE-receipt.pdf"]


@pytest.mark.django_db
def test_export_contains_nothing_of_other_users(
    customer_client, agent, other_customer, mine, theirs
):
    text = json.dumps(customer_client.get(URL).json())

    assert "THEIRS" not in text
    assert theirs.complaint.reference not in text
    assert str(other_customer.pk) not in text
    assert other_customer.email not in text
    # Staff appear by role only, and internal material is not exported to customers.
    assert agent.email not in text
    assert agent.full_name not in text
    assert str(agent.pk) not in text
    assert "internal note" not in text
    assert "MINE-internal.txt" not in text


@pytest.mark.django_db
def test_export_query_count_is_bounded(
    customer_client, customer, agent, category, django_assert_max_num_queries
):
    for i in range(3):
        complaint_with_everything(customer=customer, agent=agent, category=category, tag=f"C{i}")

    # 8 + the emails turned off + the personal columns authentication leaves out (one query).
    with django_assert_max_num_queries(10):
        response = customer_client.get(URL)

    assert len(response.json()["complaints"]) == 3


@pytest.mark.django_db
def test_export_for_user_without_complaints(other_customer_client, other_customer):
    data = other_customer_client.get(URL).json()

    assert data["profile"]["id"] == str(other_customer.pk)
    assert data["complaints"] == data["comments"] == data["feedback"] == data["attachments"] == []
