"""List and detail endpoints run a constant number of queries whatever the page holds."""

import pytest

from accounts.models import Role
from complaints import services
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db

# The auth user (no personal columns), then the page with category/customer/assignee/feedback
# joined and the capped count in the same statement.
MAX_LIST = 2
# The auth user, the complaint's visibility, count and page (with the authors).
MAX_SUB_LIST = 5
MAX_DETAIL = 2  # the auth user, the complaint with its joins


def _populate(customer, n):
    agent = UserFactory.create(role=Role.AGENT)
    complaints = []
    for i in range(n):
        status = Status.RESOLVED if i % 2 else Status.IN_PROGRESS
        complaint = make_complaint(customer=customer, status=status)
        services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
        if status == Status.RESOLVED:
            services.feedback_submit(complaint=complaint, customer=customer, rating=4)
        services.comment_create(complaint=complaint, author=agent, body="hi")
        services.comment_create(complaint=complaint, author=agent, body="note", internal=True)
        complaints.append(complaint)
    return complaints


@pytest.mark.parametrize("n", [1, 30])
@pytest.mark.parametrize("who", ["customer_client", "agent_client"])
def test_list_query_count_is_constant(request, customer, django_assert_max_num_queries, n, who):
    _populate(customer, n)
    client = request.getfixturevalue(who)
    with django_assert_max_num_queries(MAX_LIST):
        response = client.get("/api/complaints/", {"page_size": 100, "ordering": "-priority"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 30])
@pytest.mark.parametrize(
    "path", ["/api/complaints/{id}/comments/", "/api/complaints/{id}/history/"]
)
def test_sub_lists_query_count_is_constant(
    customer, agent, agent_client, django_assert_max_num_queries, n, path
):
    (complaint,) = _populate(customer, 1)
    for _ in range(n):
        services.comment_create(complaint=complaint, author=agent, body="more")
    with django_assert_max_num_queries(MAX_SUB_LIST):
        response = agent_client.get(path.format(id=complaint.pk), {"page_size": 100})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_detail_query_count_is_constant(
    customer, customer_client, django_assert_max_num_queries, n
):
    complaints = _populate(customer, n)
    target = complaints[-1]
    with django_assert_max_num_queries(MAX_DETAIL):
        response = customer_client.get(f"/api/complaints/{target.pk}/")
    assert response.status_code == 200
    with django_assert_max_num_queries(MAX_DETAIL):
        response = customer_client.get(f"/api/complaints/by-ref/{target.reference}/")
    assert response.status_code == 200


# The auth user, the category, BEGIN, its business calendar, the reference, the customer's
# name (search tokens), the complaint, its history entry, its outbox event, the outbox
# notification, COMMIT, the detail to answer with.
CREATE = 12


@pytest.mark.parametrize("words", [3, 300])
def test_filing_runs_the_same_statements_whatever_its_text(
    customer_client, category, django_assert_num_queries, words
):
    body = {
        "category": category.pk,
        "title": "Parcel lost",
        "description": " ".join(f"word{i}" for i in range(words)),
    }
    with django_assert_num_queries(CREATE):
        assert customer_client.post("/api/complaints/", body, format="json").status_code == 201
