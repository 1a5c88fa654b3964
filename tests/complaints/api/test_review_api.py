"""The remedy sought, its outcome, the referral and the internal review through the API."""

import pytest

from complaints import reviews
from tests.helpers.api import client_for
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db


def url(complaint, rest: str = "") -> str:
    return f"/api/complaints/{complaint.pk}/{rest}"


def test_filing_with_a_remedy_and_resolving_with_its_outcome(
    customer_client, agent_client, category
):
    filed = customer_client.post(
        "/api/complaints/",
        {
            "category": category.pk,
            "title": "Cold food",
            "description": "Arrived cold",
            "remedy_sought": "My money back",
        },
        format="json",
    ).json()
    assert (filed["remedy_sought"], filed["remedy_outcome"]) == ("My money back", "")
    for to_status in ("acknowledged", "in_progress"):
        agent_client.post(url_id(filed, "transition/"), {"to_status": to_status}, format="json")
    detail = agent_client.get(url_id(filed)).json()
    assert detail["transitions_requiring_remedy_outcome"] == ["resolved", "rejected"]

    refused = agent_client.post(
        url_id(filed, "transition/"), {"to_status": "resolved", "reason": "Refunded"}, format="json"
    )
    assert refused.status_code == 400
    assert "remedy_outcome" in refused.json()
    resolved = agent_client.post(
        url_id(filed, "transition/"),
        {"to_status": "resolved", "reason": "Refunded", "remedy_outcome": "granted"},
        format="json",
    )
    assert resolved.status_code == 200
    assert resolved.json()["remedy_outcome"] == "granted"


def url_id(body, rest: str = "") -> str:
    return f"/api/complaints/{body['id']}/{rest}"


def test_a_final_answer_shows_the_referral_and_offers_a_review_once(
    customer, customer_client, settings
):
    settings.COMPLAINT_REFERRALS = [{"name": "Ombudsman", "contact": "ombudsman.example"}]
    open_one = customer_client.get(url(make_complaint(customer=customer))).json()
    assert (open_one["referrals"], open_one["can_request_review"]) == ([], False)
    complaint = make_complaint(customer=customer, status="rejected")
    body = customer_client.get(url(complaint)).json()
    assert body["referrals"] == [{"name": "Ombudsman", "contact": "ombudsman.example"}]
    assert (body["can_request_review"], body["review"]) == (True, None)

    asked = customer_client.post(url(complaint, "review/"), {"reason": "Unfair"}, format="json")
    assert asked.status_code == 200
    review = asked.json()["review"]
    assert (review["reason"], review["outcome"], review["concluded_at"]) == ("Unfair", "", None)
    assert asked.json()["can_request_review"] is False
    again = customer_client.post(url(complaint, "review/"), {"reason": "Again"}, format="json")
    assert again.status_code == 409
    assert customer_client.post(url(complaint, "review/"), {}, format="json").status_code == 400


def test_review_request_errors(customer, other_customer_client, agent_client):
    complaint = make_complaint(customer=customer, status="rejected")
    body = {"reason": "Unfair"}
    assert other_customer_client.post(url(complaint, "review/"), body).status_code == 404
    assert agent_client.post(url(complaint, "review/"), body).status_code == 403
    early = make_complaint(customer=customer)
    assert client_for(customer).post(url(early, "review/"), body).status_code == 409


def test_the_supervisors_queue_and_conclusion(
    customer, customer_client, agent_client, supervisor_client
):
    waiting = make_complaint(customer=customer, status="resolved")
    reviews.review_request(complaint=waiting, customer=customer, reason="Not solved")
    make_complaint(customer=customer, status="rejected")

    queue = supervisor_client.get("/api/complaints/", {"review": "open"}).json()
    assert [r["reference"] for r in queue["results"]] == [waiting.reference]
    (row,) = queue["results"]
    assert row["can_conclude_review"] is True
    assert row["review_requested_at"] is not None
    assert agent_client.get(url(waiting)).json()["can_conclude_review"] is False

    body = {"outcome": "upheld", "note": "It is solved."}
    refused = agent_client.post(url(waiting, "review/conclude/"), body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "supervisors_only")
    assert customer_client.post(url(waiting, "review/conclude/"), body).status_code == 403
    assert supervisor_client.post(url(waiting, "review/conclude/"), {}).status_code == 400
    done = supervisor_client.post(url(waiting, "review/conclude/"), body, format="json")
    assert done.status_code == 200
    seen = customer_client.get(url(waiting)).json()["review"]
    assert (seen["outcome"], seen["note"]) == ("upheld", "It is solved.")
    assert supervisor_client.get("/api/complaints/", {"review": "open"}).json()["count"] == 0
    concluded = supervisor_client.get("/api/complaints/", {"review": "concluded"}).json()
    assert concluded["count"] == 1
    again = supervisor_client.post(url(waiting, "review/conclude/"), body, format="json")
    assert again.status_code == 409


MAX_DETAIL = 3


def test_the_detail_with_a_review_keeps_its_query_count(
    customer, customer_client, django_assert_max_num_queries
):
    complaint = make_complaint(customer=customer, status="rejected", remedy_sought="Refund")
    reviews.review_request(complaint=complaint, customer=customer, reason="Unfair")
    with django_assert_max_num_queries(MAX_DETAIL):
        body = customer_client.get(url(complaint)).json()
    assert body["review"]["reason"] == "Unfair"
    assert body["referrals"]
