"""End-to-end flows through the Streamlit app (AppTest) against the live Django API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from complaints import services
from complaints.models import Feedback
from complaints.workflow import Status
from streamlit_frontend import api_client
from tests.helpers import workflow_table as table
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import ComplaintFactory, UserFactory
from tests.helpers.frontend import (
    assert_ok,
    file_complaint,
    goto,
    keys,
    log_in,
    open_detail,
    send_reply,
    sign_up,
    signed_up_and_verified,
    texts,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_is_the_entry(new_app):
    at = new_app()
    assert_ok(at)
    assert at.title[0].value == "Log in"
    # Nobody is logged in: no customer or handler page is offered.
    assert "My complaints" not in texts(at)


def test_wrong_password_is_shown_not_crashed(new_app, customer):
    at = new_app()
    log_in(at, customer.email, "wrong-password-123")
    assert at.title[0].value == "Log in"
    assert at.error, "a login error should be visible"


def test_signup_does_not_tell_a_taken_email_and_shows_field_errors(new_app, customer):
    at = new_app()
    sign_up(at, name="Dup Licate", email=customer.email, password="An0ther-Strong-pass")
    taken = [i.value for i in at.info]
    assert at.title[0].value == "Log in"
    assert [m.subject for m in mail.outbox if customer.email in m.to] == [
        "Someone tried to sign up with your email address"
    ]

    at = new_app()
    sign_up(at, name="New Person", email="new@example.com", password="An0ther-Strong-pass")
    assert [i.value.replace("new@example.com", customer.email) for i in at.info] == taken

    sign_up(at, name="Weak Pass", email="weak@example.com", password="12345678")
    assert at.title[0].value == "Sign up"
    assert any("password" in e.value.lower() for e in at.error), [e.value for e in at.error]


def test_customer_files_replies_handler_resolves_customer_rates(new_app, categories):  # noqa: PLR0915 - one story across two sessions
    # --- a new customer signs up, confirms the address and logs in ------------------------
    customer = new_app()
    signed_up_and_verified(
        customer, name="Ada Customer", email="ada@example.com", password="Sturdy-Pass-2026"
    )
    assert customer.session_state["auth_role"] == "customer"
    assert customer.title[0].value == "My complaints"
    assert "not filed any complaints" in texts(customer)

    # --- log out and back in (logout blacklists the refresh token) -------------------------
    customer.sidebar.button(key="logout").click().run()
    assert_ok(customer)
    assert customer.title[0].value == "Log in"
    assert "auth_refresh" not in customer.session_state
    log_in(customer, "ada@example.com", "Sturdy-Pass-2026")
    assert customer.title[0].value == "My complaints"

    # --- file a complaint: lands on its detail page ---------------------------------------
    file_complaint(
        customer,
        category=categories[0],
        title="Charged twice for March",
        description="My card was charged twice on 3 March.",
    )
    title = customer.title[0].value
    assert "Charged twice for March" in title, texts(customer)
    reference = title.split(" - ")[0]
    assert reference.startswith("CMP-")
    complaint_id = customer.session_state["current_complaint_id"]
    # A customer is never offered handler moves.
    assert not [b for b in customer.button if b.key in ("to_acknowledged", "to_resolved")]
    assert customer.button(key="to_withdrawn")

    # --- it is in the list, and search by reference finds it -------------------------------
    goto(customer, "app_pages/my_complaints.py")
    assert_ok(customer)
    assert reference in texts(customer)
    customer.text_input(key="my_q").input(reference).run()
    assert reference in texts(customer)
    customer.text_input(key="my_q").input("no such complaint").run()
    assert reference not in texts(customer)
    assert "No complaints match" in texts(customer)
    customer.text_input(key="my_q").input("").run()

    # --- reply from the detail page --------------------------------------------------------
    customer.button(key=f"open_{complaint_id}").click().run()
    assert_ok(customer)
    assert reference in customer.title[0].value
    send_reply(customer, complaint_id, "Any news on this?")
    assert "Any news on this?" in texts(customer)
    # The box is empty again, for the next message.
    assert customer.text_area(key=f"reply_body_{complaint_id}_1").value == ""

    # --- an agent assigns it to self and works it to resolved ------------------------------
    agent_user = UserFactory.create(role=Role.AGENT, full_name="Bob Agent")
    agent = new_app()
    log_in(agent, agent_user.email)
    assert agent.session_state["auth_role"] == "agent"
    assert agent.title[0].value == "Queue"
    agent.segmented_control(key="queue_scope").set_value("none").run()
    assert_ok(agent)
    assert reference in texts(agent)
    agent.button(key=f"assign_{complaint_id}").click().run()
    assert_ok(agent)
    assert "assigned to you" in texts(agent)
    agent.segmented_control(key="queue_scope").set_value("me").run()
    assert reference in texts(agent)

    agent.button(key=f"open_{complaint_id}").click().run()
    assert_ok(agent)
    assert reference in agent.title[0].value
    # Only the moves the API allows are offered.
    offered = {b.key for b in agent.button if b.key and b.key.startswith("to_")}
    assert offered == {"to_acknowledged", "to_rejected"}
    agent.button(key="to_acknowledged").click().run()
    assert_ok(agent)
    agent.button(key="to_in_progress").click().run()
    assert_ok(agent)

    # Resolving needs a reason: the button refuses without one.
    agent.button(key="to_resolved").click().run()
    assert any("reason" in e.value.lower() for e in agent.error)
    # An internal note is not shown to the customer.
    send_reply(agent, complaint_id, "Refund approved by finance.", internal=True)
    assert "Refund approved by finance." in texts(agent)
    agent.text_area(key=f"reason_{complaint_id}").input("Refunded the duplicate charge.")
    agent.button(key="to_resolved").click().run()
    assert_ok(agent)
    assert "resolved" in texts(agent).lower()
    assert "Refunded the duplicate charge." in texts(agent)

    # --- the customer sees the resolution and rates it -------------------------------------
    customer.run()
    assert_ok(customer)
    page = texts(customer)
    assert "Refunded the duplicate charge." in page
    assert "Refund approved by finance." not in page
    assert customer.button(key="to_reopened")
    customer.radio(key="feedback_rating").set_value(5)
    customer.text_area(key="feedback_comment").input("Quick and polite.")
    customer.button(key="feedback_submit").click().run()
    assert_ok(customer)
    assert "Thank you for your feedback" in texts(customer)
    assert "(5/5)" in texts(customer)
    assert not [r for r in customer.radio if r.key == "feedback_rating"]


def test_customer_withdraws_after_confirming(new_app, categories, customer):
    at = new_app()
    log_in(at, customer.email)
    file_complaint(at, category=categories[1], title="Parcel lost", description="Never arrived.")
    at.button(key="to_withdrawn").click().run()
    assert at.button(key="confirm_withdraw_yes")
    at.button(key="confirm_withdraw_yes").click().run()
    assert_ok(at)
    assert "withdrawn" in texts(at).lower()
    assert not [b for b in at.button if b.key and b.key.startswith("to_")]


def test_new_complaint_requires_fields(new_app, categories, customer):
    at = new_app()
    log_in(at, customer.email)
    goto(at, "app_pages/new_complaint.py")
    at.button(key="nc_submit").click().run()
    assert_ok(at)
    errors = " ".join(e.value for e in at.error)
    assert "Choose a category" in errors
    assert "title" in errors
    assert at.title[0].value == "New complaint"


def test_expired_session_goes_back_to_login(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    assert at.title[0].value == "My complaints"
    at.session_state["auth_access"] = "not-a-jwt"
    at.session_state["auth_refresh"] = "not-a-jwt-either"
    at.run()
    assert_ok(at)
    assert at.title[0].value == "Log in"
    assert any("log in again" in w.value.lower() for w in at.warning)


def test_api_down_is_a_friendly_message(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    at.session_state["api_base_url"] = "http://127.0.0.1:9"  # nothing listens here
    at.run()
    assert_ok(at)
    assert any("Cannot reach" in e.value for e in at.error), [e.value for e in at.error]


def test_supervisor_dashboard(new_app, categories, customer, supervisor):
    at = new_app()
    log_in(at, customer.email)
    file_complaint(at, category=categories[0], title="Wrong amount", description="Too much.")

    boss = new_app()
    log_in(boss, supervisor.email)
    goto(boss, "app_pages/dashboard.py")
    assert_ok(boss)
    assert boss.title[0].value == "Dashboard"
    metrics = {m.label: m.value for m in boss.metric}
    assert metrics["Complaints"] == "1"
    assert metrics["Open now"] == "1"
    assert metrics["Satisfied ratings"] == "-"
    assert "No ratings in this period." in texts(boss)
    charts = boss.get("plotly_chart")
    assert len(charts) >= 3


def test_dashboard_csat_comes_from_the_stats_endpoint(new_app, categories, supervisor):
    # Ratings 5, 4, 2 given now (in the window) and a 1 given 60 days ago (outside 30 days).
    now = timezone.now()
    for rating, when in ((5, now), (4, now), (2, now), (1, now - timedelta(days=60))):
        complaint = ComplaintFactory.create(status=Status.CLOSED, category=categories[0])
        Feedback.objects.create(complaint=complaint, rating=rating, created_at=when)

    boss = new_app()
    log_in(boss, supervisor.email)
    goto(boss, "app_pages/dashboard.py")
    metrics = {m.label: m.value for m in boss.metric}
    assert metrics["Satisfied ratings"] == "67%"  # 2 of 3 ratings are 4-5 stars
    assert "3 rating(s) in the last 30 days, average 3.7/5." in texts(boss)

    boss.selectbox(key="dash_days").set_value(90).run()
    assert_ok(boss)
    metrics = {m.label: m.value for m in boss.metric}
    assert metrics["Satisfied ratings"] == "50%"
    assert "4 rating(s) in the last 90 days, average 3.0/5." in texts(boss)


def test_supervisor_assigns_to_a_handler_agent_only_to_self(
    new_app, categories, customer, supervisor
):
    complaint = ComplaintFactory.create(
        customer=customer, category=categories[0], title="Dented box"
    )
    bob = UserFactory.create(role=Role.AGENT, full_name="Bob Agent")
    ComplaintFactory.create(assignee=bob, status=Status.IN_PROGRESS, category=categories[0])

    boss = new_app()
    log_in(boss, supervisor.email)
    boss.session_state["current_complaint_id"] = str(complaint.pk)
    goto(boss, "app_pages/complaint_detail.py")
    assert "Dented box" in boss.title[0].value
    select = boss.selectbox(key=f"assign_to_{complaint.pk}_")
    # Options show name, role and open workload; the value behind each is the user id.
    assert "Bob Agent (Agent, 1 open)" in select.options
    assert f"{supervisor.full_name} (Supervisor, 0 open)" in select.options
    # Assigning without a choice is refused in place.
    boss.button(key="assign_to_submit").click().run()
    assert_ok(boss)
    assert any("Choose who" in e.value for e in boss.error)

    boss.selectbox(key=f"assign_to_{complaint.pk}_").select(str(bob.pk))
    boss.button(key="assign_to_submit").click().run()
    assert_ok(boss)
    assert "Assigned to Bob Agent." in texts(boss)
    complaint.refresh_from_db()
    assert complaint.assignee_id == bob.pk
    # The current assignee is not offered again; the others still are.
    select = boss.selectbox(key=f"assign_to_{complaint.pk}_{bob.pk}")
    assert select.options == [f"{supervisor.full_name} (Supervisor, 0 open)"]
    assert boss.button(key="unassign")

    # An agent keeps "Assign to me" / "Unassign" and gets no staff picker.
    agent = new_app()
    log_in(agent, bob.email)
    agent.session_state["current_complaint_id"] = str(complaint.pk)
    goto(agent, "app_pages/complaint_detail.py")
    assert not [s for s in agent.selectbox if s.key and s.key.startswith("assign_to_")]
    assert agent.button(key="unassign")
    agent.button(key="unassign").click().run()
    assert_ok(agent)
    assert agent.button(key="assign_me")


def test_an_agent_is_offered_no_move_of_a_colleagues_complaint(new_app, categories, agent):
    bob = UserFactory.create(role=Role.AGENT, full_name="Bob Agent")
    theirs = ComplaintFactory.create(
        assignee=bob, status=Status.IN_PROGRESS, category=categories[0], title="Bob's case"
    )
    free = ComplaintFactory.create(status=Status.NEW, category=categories[0], title="Free case")

    at = new_app()
    log_in(at, agent.email)
    at.session_state["current_complaint_id"] = str(theirs.pk)
    goto(at, "app_pages/complaint_detail.py")
    assert "Bob's case" in at.title[0].value
    assert not {"assign_me", "unassign"} & {b.key for b in at.button}

    at.session_state["queue_scope"] = "all"
    goto(at, "app_pages/queue.py")
    keys = {b.key for b in at.button}
    assert f"assign_{free.pk}" in keys
    assert f"assign_{theirs.pk}" not in keys


def test_agent_has_no_dashboard(new_app, agent):
    at = new_app()
    log_in(at, agent.email)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/dashboard.py")


@pytest.mark.parametrize(
    ("status", "conversation"),
    [(Status.NEW, True), (Status.RESOLVED, True), (Status.CLOSED, False), (Status.REJECTED, False)],
)
def test_customer_page_offers_what_the_api_allows(new_app, customer, status, conversation):
    complaint = make_complaint(customer=customer, status=status)
    at = new_app()
    log_in(at, customer.email)
    open_detail(at, complaint)
    # The composer and the upload box follow can_comment / can_upload (a resolved complaint
    # keeps them).
    assert (f"reply_submit_{complaint.pk}_0" in keys(at)) is conversation
    uploaders = {u.key for u in at.get("file_uploader")}
    assert (f"detail_uploads_{complaint.pk}_0" in uploaders) is conversation
    assert ("feedback_submit" in keys(at)) is (status in (Status.RESOLVED, Status.CLOSED))


def test_queue_filters_come_from_the_workflow_endpoint(new_app, agent):
    at = new_app()
    log_in(at, agent.email)
    statuses = at.multiselect(key="queue_statuses")
    assert statuses.options == [table.LABELS[s] for s in table.STATUSES]
    assert set(statuses.value) == table.OPEN
    priority = at.selectbox(key="queue_priority")
    assert priority.options == ["Any priority", "Low", "Normal", "High", "Urgent"]


def test_detail_says_when_replies_do_not_all_fit(new_app, customer, monkeypatch):
    monkeypatch.setattr(api_client, "MAX_PAGES", 1)
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    for n in range(105):
        services.comment_create(complaint=complaint, author=customer, body=f"Reply {n}")
    at = new_app()
    log_in(at, customer.email)
    open_detail(at, complaint)
    assert "Showing the first 100 of 105 replies." in texts(at)
