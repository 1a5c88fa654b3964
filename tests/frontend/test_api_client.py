"""The typed API client against the real API (live server): tokens, refresh, error mapping."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role
from complaints import services
from complaints.models import Attachment
from streamlit_frontend.api_client import (
    ACCESS_KEY,
    REFRESH_KEY,
    ApiAuthError,
    ApiClient,
    ApiConflict,
    ApiFileRejected,
    ApiNotFound,
    ApiPermissionDenied,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
    SessionExpired,
    decode_jwt_claims,
)
from tests.helpers.analytics import Deliverer
from tests.helpers.factories import DEFAULT_PASSWORD, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client_for(api_url):
    def make(user=None) -> ApiClient:
        api = ApiClient({}, base_url=api_url)
        if user is not None:
            api.login(email=user.email, password=DEFAULT_PASSWORD)
        return api

    return make


def file_one(api: ApiClient, category, title: str = "Broken kettle") -> dict:
    return api.create_complaint(
        category=category.id,
        title=title,
        description="It stopped working after two days.",
        idempotency_key=str(uuid.uuid4()),
    )


def test_login_stores_tokens_role_and_user(client_for, customer):
    api = client_for(customer)
    assert api.is_authenticated
    assert api.role == "customer"
    assert api.user_id == str(customer.pk)
    assert api.me()["full_name"] == customer.full_name


def test_wrong_password_is_an_auth_error(client_for, customer):
    api = client_for()
    with pytest.raises(ApiAuthError):
        api.login(email=customer.email, password="not-the-password")
    assert not api.is_authenticated


def test_refresh_rotates_and_stores_the_new_refresh_token(client_for, customer):
    api = client_for(customer)
    old_refresh = api.state[REFRESH_KEY]
    api.refresh()
    assert api.state[REFRESH_KEY] != old_refresh
    # The rotated-out token is blacklisted: using it again ends the session.
    stale = ApiClient({REFRESH_KEY: old_refresh, ACCESS_KEY: "x"}, base_url=api.base_url)
    with pytest.raises(SessionExpired):
        stale.refresh()
    assert not stale.is_authenticated


def test_expired_access_token_is_refreshed_transparently(client_for, customer):
    api = client_for(customer)
    expired = AccessToken.for_user(customer)
    expired.set_exp(lifetime=-AccessToken.lifetime - AccessToken.lifetime)
    expired_str = str(expired)
    assert decode_jwt_claims(expired_str)["exp"] < time.time()
    api.state[ACCESS_KEY] = expired_str
    old_refresh = api.state[REFRESH_KEY]

    assert api.me()["id"] == str(customer.pk)
    assert api.state[ACCESS_KEY] != expired_str
    assert api.state[REFRESH_KEY] != old_refresh


def test_rejected_access_token_triggers_one_refresh_and_retry(client_for, customer):
    api = client_for(customer)
    api.state[ACCESS_KEY] = "header.eyJleHAiOjQxMDI0NDQ4MDB9.signature"  # not expired, but bogus
    assert api.list_complaints().count == 0
    assert api.state[ACCESS_KEY].count(".") == 2
    assert decode_jwt_claims(api.state[ACCESS_KEY])["role"] == "customer"


def test_failed_refresh_clears_the_session(client_for, customer):
    api = client_for(customer)
    api.state[ACCESS_KEY] = "bogus"
    api.state[REFRESH_KEY] = "also-bogus"
    with pytest.raises(SessionExpired):
        api.me()
    assert ACCESS_KEY not in api.state
    assert REFRESH_KEY not in api.state


def test_logout_ends_every_session(client_for, customer):
    api = client_for(customer)
    elsewhere = client_for(customer)
    refresh = api.state[REFRESH_KEY]
    assert api.logout() is True
    assert not api.is_authenticated
    for state in ({REFRESH_KEY: refresh, ACCESS_KEY: "x"}, dict(elsewhere.state)):
        again = ApiClient(state, base_url=api.base_url)
        with pytest.raises(SessionExpired):
            again.refresh()


def test_register_field_errors(client_for, customer):
    api = client_for()
    with pytest.raises(ApiValidationError) as excinfo:
        api.register(email="not-an-email", password="x", full_name="")
    errors = excinfo.value.field_errors
    assert {"email", "full_name"} <= set(errors)
    taken = api.register(email=customer.email, password="Sturdy-Pass-2026", full_name="Again")
    new = api.register(email="fresh@example.com", password="Sturdy-Pass-2026", full_name="New")
    assert taken == new


def test_create_is_idempotent_per_key(client_for, customer, category):
    api = client_for(customer)
    key = str(uuid.uuid4())
    body = {"category": category.id, "title": "Late delivery", "description": "Two weeks late."}
    first = api.create_complaint(**body, idempotency_key=key)
    second = api.create_complaint(**body, idempotency_key=key)
    assert first["id"] == second["id"]
    assert first["priority"] == "normal"
    assert api.list_complaints().count == 1
    assert api.get_complaint_by_reference(first["reference"])["id"] == first["id"]


def test_filters_and_pagination(client_for, customer, category):
    api = client_for(customer)
    made = [file_one(api, category, title=f"Issue number {i}") for i in range(3)]
    page = api.list_complaints(page_size=2, ordering="created_at")
    assert page.count == 3
    assert page.next
    assert not page.previous
    assert [c["id"] for c in page.results] == [made[0]["id"], made[1]["id"]]
    assert api.list_complaints(page=2, page_size=2).previous
    assert api.list_complaints(q=made[2]["reference"]).count == 1
    assert api.list_complaints(status=["resolved", "closed"]).count == 0
    with pytest.raises(ApiValidationError) as excinfo:
        api.list_complaints(priority="sky-high")
    assert "priority" in excinfo.value.field_errors


def test_another_customers_complaint_is_not_found(client_for, customer, other_customer, category):
    mine = file_one(client_for(customer), category)
    with pytest.raises(ApiNotFound):
        client_for(other_customer).get_complaint(mine["id"])


def test_disallowed_transition_is_a_conflict_with_allowed(client_for, customer, category):
    api = client_for(customer)
    complaint = file_one(api, category)
    assert complaint["allowed_transitions"] == ["withdrawn"]
    with pytest.raises(ApiConflict) as excinfo:
        api.transition(complaint["id"], to_status="resolved", reason="I fixed it myself")
    assert excinfo.value.current_status == "new"
    assert excinfo.value.allowed == ["withdrawn"]


def test_handler_flow_through_the_client(client_for, customer, category):
    customer_api = client_for(customer)
    complaint = file_one(customer_api, category)
    agent = UserFactory.create(role=Role.AGENT)
    agent_api = client_for(agent)
    assert agent_api.is_handler
    assert agent_api.list_complaints(assignee="none").count == 1
    agent_api.assign(complaint["id"], assignee_id=agent_api.user_id)
    assert agent_api.list_complaints(assignee="me").count == 1
    for to_status in ("acknowledged", "in_progress"):
        agent_api.transition(complaint["id"], to_status=to_status)
    with pytest.raises(ApiValidationError) as excinfo:
        agent_api.transition(complaint["id"], to_status="resolved")
    assert "reason" in excinfo.value.field_errors
    agent_api.add_comment(
        complaint["id"], body="Checked with the warehouse.", internal=True, idempotency_key="n1"
    )
    done = agent_api.transition(complaint["id"], to_status="resolved", reason="Replaced it.")
    assert done["status"] == "resolved"

    seen = customer_api.get_complaint(complaint["id"])
    assert seen["resolution"] == "Replaced it."
    assert set(seen["allowed_transitions"]) == {"closed", "reopened"}
    assert customer_api.list_comments(complaint["id"]).results == []  # the note is hidden
    customer_api.give_feedback(complaint["id"], rating=4, comment="Fine.")
    assert customer_api.get_complaint(complaint["id"])["feedback"]["rating"] == 4
    kinds = [h["kind"] for h in customer_api.history(complaint["id"]).results]
    assert kinds[0] == "created"
    assert "status_changed" in kinds


def test_attachments_upload_download_and_type_rejection(client_for, customer, category):
    api = client_for(customer)
    complaint = file_one(api, category)
    att = api.upload_attachment(
        complaint["id"], filename="receipt.txt", content=b"paid 10 EUR\n", content_type="text/plain"
    )
    listed = api.list_attachments(complaint["id"])
    assert [a["id"] for a in listed.results] == [att["id"]]
    assert api.download_attachment(att["id"]) == b"paid 10 EUR\n"
    with pytest.raises((ApiFileRejected, ApiValidationError)):
        api.upload_attachment(
            complaint["id"],
            filename="tool.exe",
            content=b"MZ\x90\x00" + b"\x00" * 64,
            content_type="application/x-msdownload",
        )


def test_stats_for_supervisors(client_for, supervisor, customer, category):
    file_one(client_for(customer), category)
    Deliverer().deliver()  # what the worker does with the events
    stats = client_for(supervisor).stats(days=7)
    assert stats["total"] == 1
    assert len(stats["per_day"]) == 7
    assert "sla_breach_rate" in stats
    assert stats["csat"] == {
        "responses": 0,
        "average_rating": None,
        "satisfied_share": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }


def test_stats_csat_counts_feedback_given_through_the_api(client_for, customer, category):
    customer_api = client_for(customer)
    complaint = file_one(customer_api, category)
    agent_api = client_for(UserFactory.create(role=Role.AGENT))
    agent_api.assign(complaint["id"], assignee_id=agent_api.user_id)
    for to_status in ("acknowledged", "in_progress"):
        agent_api.transition(complaint["id"], to_status=to_status)
    agent_api.transition(complaint["id"], to_status="resolved", reason="Sent a new one.")
    customer_api.give_feedback(complaint["id"], rating=4)
    Deliverer().deliver()
    csat = client_for(UserFactory.create(role=Role.SUPERVISOR)).stats(days=7)["csat"]
    assert csat["responses"] == 1
    assert csat["satisfied_share"] == 1.0
    assert csat["average_rating"] == 4.0
    assert csat["distribution"]["4"] == 1


def test_handlers_list_for_staff_only(client_for, customer, agent, supervisor):
    zed = UserFactory.create(role=Role.AGENT, full_name="Zzzz Last")
    amy = UserFactory.create(role=Role.ADMIN, full_name="aaaa first")
    page = client_for(supervisor).list_handlers(page_size=2)
    assert page.count == 4
    assert len(page.results) == 2
    assert page.next
    everyone = client_for(agent).all_handlers()
    assert len(everyone) == 4
    # Sorted by name here (the API cannot sort encrypted names), case-insensitively.
    assert everyone[0]["id"] == str(amy.pk)
    assert everyone[-1]["id"] == str(zed.pk)
    assert {h["role"] for h in everyone} == {"agent", "supervisor", "admin"}
    assert all(h["open_assigned"] == 0 for h in everyone)
    with pytest.raises(ApiPermissionDenied):
        client_for(customer).list_handlers()


def test_supervisor_assigns_to_an_agent(client_for, customer, supervisor, category):
    complaint = file_one(client_for(customer), category)
    bob = UserFactory.create(role=Role.AGENT, full_name="Bob Agent")
    boss = client_for(supervisor)
    boss.assign(complaint["id"], assignee_id=str(bob.pk))
    rows = {h["id"]: h for h in boss.all_handlers()}
    assert rows[str(bob.pk)]["open_assigned"] == 1
    assert rows[str(supervisor.pk)]["open_assigned"] == 0


def test_rate_limit_carries_retry_after(client_for, customer):
    api = client_for()
    with pytest.raises(ApiRateLimited) as excinfo:  # noqa: PT012
        for _ in range(50):
            try:
                api.login(email=customer.email, password="wrong-password-1")
            except ApiAuthError:
                continue
    assert excinfo.value.retry_after is not None
    assert excinfo.value.retry_after > 0


def test_unreachable_api_is_unavailable():
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = ApiClient({}, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ApiUnavailable, match="Cannot reach"):
        api.register(email="a@example.com", password="x", full_name="A")


def test_categories_are_all_read_not_only_the_first_page(client_for, customer):
    names = {f"Category {i:02d}" for i in range(30)}  # more than one page of 25
    for name in names:
        CategoryFactory.create(name=name, slug=name.lower().replace(" ", "-"))
    assert {c["name"] for c in client_for(customer).categories()} == names


@pytest.mark.parametrize(
    ("what", "make"),
    [
        ("comments", lambda c, who: services.comment_create(complaint=c, author=who, body="Hi")),
        ("history", lambda c, who: services.comment_create(complaint=c, author=who, body="Hi")),
        (
            "attachments",
            lambda c, who: Attachment.objects.create(
                complaint=c,
                uploaded_by=who,
                file="x",
                original_name="a.txt",
                content_type="text/plain",
                size=1,
                sha256="0" * 64,
            ),
        ),
    ],
)
def test_sub_lists_page_through_everything(client_for, customer, category, what, make):
    complaint = services.complaint_create(
        actor=customer, customer=customer, category=category, title="Long", description="Talk"
    )
    for _ in range(130):  # more than the API's largest page (100)
        make(complaint, customer)
    api = client_for(customer)
    read = {
        "comments": api.list_comments,
        "history": api.history,
        "attachments": api.list_attachments,
    }[what]
    listing = read(str(complaint.pk))
    assert len(listing.results) == listing.count >= 130
    # Past the client's own limit the listing says that there is more.
    capped = read(str(complaint.pk), max_pages=1)
    assert len(capped.results) == 100
    assert capped.count == listing.count
    assert capped.next
