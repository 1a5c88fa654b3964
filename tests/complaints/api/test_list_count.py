"""The list's count is exact up to a cap, a lower bound beyond it; pages reach a bounded depth."""

import pytest

from complaints import selectors
from complaints_project.pagination import CappedCountPagination
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "count_cap", 5)
    monkeypatch.setattr(CappedCountPagination, "max_offset", 10)


def _page(client, page, page_size=2, **params):
    response = client.get("/api/complaints/", {"page": page, "page_size": page_size, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_count_is_exact_up_to_the_cap(agent_client, customer, small_bounds):
    for _ in range(5):
        make_complaint(customer=customer)
    body = _page(agent_client, 1)
    assert (body["count"], body["count_is_exact"]) == (5, True)
    assert body["next"]
    assert body["previous"] is None
    empty = _page(agent_client, 1, status="closed")
    assert (empty["count"], empty["count_is_exact"], empty["results"]) == (0, True, [])


def test_beyond_the_cap_count_is_a_lower_bound_until_the_last_page(
    agent_client, customer, small_bounds
):
    for _ in range(9):
        make_complaint(customer=customer)
    first = _page(agent_client, 1)
    assert (first["count"], first["count_is_exact"]) == (5, False)  # more than 5
    third = _page(agent_client, 3)
    assert (third["count"], third["count_is_exact"]) == (6, False)  # more than the 6 seen
    assert "page=4" in third["next"]
    assert "page=2" in third["previous"]
    last = _page(agent_client, 5)
    assert (last["count"], last["count_is_exact"], last["next"]) == (9, True, None)
    assert len(last["results"]) == 1


def test_pages_reach_the_bound_and_no_further(agent_client, customer, small_bounds):
    for _ in range(13):
        make_complaint(customer=customer)
    deepest = _page(agent_client, 5)
    assert (deepest["count"], deepest["count_is_exact"], deepest["next"]) == (10, False, None)
    response = agent_client.get("/api/complaints/", {"page": 6, "page_size": 2})
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_a_page_past_the_last_is_404(agent_client, customer):
    make_complaint(customer=customer)
    assert agent_client.get("/api/complaints/", {"page": 2}).status_code == 404


def test_paging_visits_every_complaint_once(agent_client, customer, small_bounds):
    for _ in range(7):
        make_complaint(customer=customer)
    ids = []
    for page in range(1, 5):
        ids += [row["id"] for row in _page(agent_client, page)["results"]]
    assert len(ids) == len(set(ids)) == 7


def test_a_search_by_words_counts_up_to_its_own_lower_cap(
    agent_client, customer, monkeypatch, small_bounds
):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for _ in range(4):
        make_complaint(customer=customer, title="Parcel lost")
    reference = make_complaint(customer=customer, title="Parcel late").reference
    words = _page(agent_client, 1, q="parcel")
    assert (words["count"], words["count_is_exact"]) == (3, False)  # more than 3
    # Other lists, and searches by reference or email, keep the paginator's cap.
    assert (_page(agent_client, 1)["count"], _page(agent_client, 1)["count_is_exact"]) == (5, True)
    by_reference = _page(agent_client, 1, q=reference)
    assert (by_reference["count"], by_reference["count_is_exact"]) == (1, True)
    last = _page(agent_client, 3, q="parcel")
    assert (last["count"], last["count_is_exact"]) == (5, True)
