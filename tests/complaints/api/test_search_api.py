"""GET /api/complaints/?q=: search through the API (complaints.search behind the filter)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import services
from complaints.search import MAX_QUERY_WORDS
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db


def _refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(r["reference"] for r in response.json()["results"])


def test_searching_costs_the_same_statements_as_listing(agent_client, customer, agent):
    customer.full_name = "Ada Lovelace"
    customer.save()
    for i in range(5):
        complaint = make_complaint(customer=customer, description=f"Sprinkler {i}")
        services.comment_create(complaint=complaint, author=agent, body="Valve", internal=True)

    def statements(params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = agent_client.get("/api/complaints/", params)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    plain = statements({})
    assert plain[1] == 5
    for q in (customer.email, "sprinkler", "lovelace valve", "CMP-"):
        assert statements({"q": q}) == plain, q


def test_customer_finds_own_by_words_and_never_by_staff_notes(
    customer_client, customer, other_customer, agent
):
    mine = make_complaint(customer=customer, description="Sprinkler")
    services.comment_create(complaint=mine, author=agent, body="Fraud suspected", internal=True)
    make_complaint(customer=other_customer, description="Sprinkler")
    assert _refs(customer_client.get("/api/complaints/", {"q": "sprinkler"})) == [mine.reference]
    assert _refs(customer_client.get("/api/complaints/", {"q": "fraud"})) == []
    assert _refs(customer_client.get("/api/complaints/", {"q": other_customer.email})) == []


def test_only_unsearchable_words_find_nothing(agent_client, customer):
    make_complaint(customer=customer, title="The kettle")
    response = agent_client.get("/api/complaints/", {"q": "the and"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_too_many_words_is_400_on_q(agent_client):
    words = " ".join(f"word{i}" for i in range(MAX_QUERY_WORDS + 1))
    response = agent_client.get("/api/complaints/", {"q": words})
    assert response.status_code == 400
    assert "q" in response.json()
