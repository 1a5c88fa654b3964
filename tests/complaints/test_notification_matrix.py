"""The notification matrix: every cell against a table typed out by hand, and each cell's
effect when its event really happens (services, outbox, the registered handlers)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from complaints import (
    attachments,
    events,
    merging,
    notification_matrix,
    reviews,
    selectors,
    services,
)
from complaints.api import output
from complaints.notification_matrix import Audience, Kind, Visibility
from complaints.read_activity import UNREAD
from complaints.workflow import Status
from events import dispatch
from events.envelope import envelope_for
from events.models import OutboxEvent
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
E, APP = "email", "in_app"

# (notice, visibility) -> {audience: channels}; audiences left out get nothing.
EXPECTED: dict[tuple[str, str], dict[str, set[str]]] = {
    ("complaint_received", "public"): {"customer": {E}},
    ("status_changed", "public"): {"customer": {E}},
    ("resolved", "public"): {"customer": {E}},
    ("staff_comment", "public"): {"customer": {E}},
    ("staff_comment", "internal"): {"handler": {E}},
    ("assigned", "internal"): {"handler": {E}},
    ("customer_reply", "public"): {"handler": {E, APP}},
    ("customer_upload", "public"): {"handler": {E, APP}},
    ("reopened", "public"): {"handler": {E, APP}},
    ("feedback", "public"): {"handler": {E, APP}},
    ("sla_breached", "internal"): {"supervisors": {E}},
    ("merged", "public"): {"customer": {E}},
    ("review_requested", "internal"): {"supervisors": {E}},
    ("review_concluded", "public"): {"customer": {E}},
}
CELLS = list(notification_matrix.cells())


def expected(kind: str, visibility: str, audience: str) -> set[str]:
    return EXPECTED[(kind, visibility)].get(audience, set())


def test_the_matrix_has_exactly_the_expected_rows():
    assert {(row.kind.value, row.visibility.value) for row in notification_matrix.ROWS} == set(
        EXPECTED
    )
    assert len(notification_matrix.ROWS) == len(notification_matrix.MATRIX)  # no duplicate row


def test_the_docs_table_is_the_matrix():
    assert notification_matrix.markdown_table() in DOC.read_text()


class World:
    """A customer, the assignee, a colleague who acts, an admin and a supervisor."""

    def __init__(self, category):
        self.category = category
        self.customer = UserFactory.create(role=Role.CUSTOMER, full_name="Carla Customer")
        self.assignee = UserFactory.create(role=Role.AGENT, full_name="Ann Assignee")
        self.colleague = UserFactory.create(role=Role.AGENT, full_name="Colin Colleague")
        self.admin = UserFactory.create(role=Role.ADMIN, full_name="Ada Admin")
        self.supervisor = UserFactory.create(role=Role.SUPERVISOR, full_name="Sue Supervisor")

    def complaint(self, status: str = Status.IN_PROGRESS):
        complaint = make_complaint(customer=self.customer, category=self.category, status=status)
        return services.complaint_assign(complaint=complaint, actor=None, assignee=self.assignee)

    def person(self, audience: str):
        return {
            "customer": self.customer,
            "handler": self.assignee,
            "supervisors": self.supervisor,
        }[audience]


def _received(world: World) -> None:
    make_complaint(customer=world.customer, category=world.category)


def _status_changed(world: World) -> None:
    complaint = world.complaint(Status.ACKNOWLEDGED)
    services.complaint_transition(
        complaint=complaint, actor=world.colleague, to_status=Status.IN_PROGRESS
    )


def _resolved(world: World) -> None:
    services.complaint_transition(
        complaint=world.complaint(),
        actor=world.colleague,
        to_status=Status.RESOLVED,
        reason="Refunded.",
    )


def _staff_comment(internal: bool):
    def act(world: World) -> None:
        services.comment_create(
            complaint=world.complaint(), author=world.colleague, body="Text", internal=internal
        )

    return act


def _assigned(world: World) -> None:
    complaint = make_complaint(customer=world.customer, category=world.category)
    services.complaint_assign(complaint=complaint, actor=world.admin, assignee=world.assignee)


def _customer_reply(world: World) -> None:
    services.comment_create(complaint=world.complaint(), author=world.customer, body="Any news?")


def _customer_upload(world: World) -> None:
    upload = SimpleUploadedFile("receipt.txt", b"Paid 20 EUR", content_type="text/plain")
    attachments.attachment_add(complaint=world.complaint(), uploader=world.customer, upload=upload)


def _reopened(world: World) -> None:
    complaint = world.complaint(Status.RESOLVED)
    services.complaint_transition(
        complaint=complaint, actor=world.customer, to_status=Status.REOPENED
    )


def _feedback(world: World) -> None:
    complaint = world.complaint(Status.RESOLVED)
    services.feedback_submit(complaint=complaint, customer=world.customer, rating=4)


def _sla_breached(world: World) -> None:
    complaint = world.complaint()
    with transaction.atomic():
        events.emit_sla_breached(complaint=complaint, clock="resolve", due_at=timezone.now())


def _merged(world: World) -> None:
    duplicate = world.complaint()
    into = make_complaint(customer=world.customer, category=world.category)
    merging.complaint_merge(complaint=duplicate, into_id=into.pk, actor=world.colleague)


def _review_requested(world: World) -> None:
    complaint = world.complaint(Status.RESOLVED)
    reviews.review_request(complaint=complaint, customer=world.customer, reason="Not solved")


def _review_concluded(world: World) -> None:
    complaint = world.complaint(Status.RESOLVED)
    reviews.review_request(complaint=complaint, customer=world.customer, reason="Not solved")
    reviews.review_conclude(complaint=complaint, actor=world.admin, outcome="upheld", note="Ok")


# How each row's event really happens, done by someone outside the audiences under test.
ACTIONS = {
    (Kind.RECEIVED, Visibility.PUBLIC): _received,
    (Kind.STATUS_CHANGED, Visibility.PUBLIC): _status_changed,
    (Kind.RESOLVED, Visibility.PUBLIC): _resolved,
    (Kind.STAFF_COMMENT, Visibility.PUBLIC): _staff_comment(internal=False),
    (Kind.STAFF_COMMENT, Visibility.INTERNAL): _staff_comment(internal=True),
    (Kind.ASSIGNED, Visibility.INTERNAL): _assigned,
    (Kind.CUSTOMER_REPLY, Visibility.PUBLIC): _customer_reply,
    (Kind.CUSTOMER_UPLOAD, Visibility.PUBLIC): _customer_upload,
    (Kind.REOPENED, Visibility.PUBLIC): _reopened,
    (Kind.FEEDBACK, Visibility.PUBLIC): _feedback,
    (Kind.SLA_BREACHED, Visibility.INTERNAL): _sla_breached,
    (Kind.MERGED, Visibility.PUBLIC): _merged,
    (Kind.REVIEW_REQUESTED, Visibility.INTERNAL): _review_requested,
    (Kind.REVIEW_CONCLUDED, Visibility.PUBLIC): _review_concluded,
}
SUBJECT_OF = {
    Kind.RECEIVED: "We received your complaint",
    Kind.STATUS_CHANGED: "Complaint CMP-",
    Kind.RESOLVED: "is resolved",
    Kind.ASSIGNED: "was assigned to you",
    Kind.CUSTOMER_REPLY: "Customer replied",
    Kind.CUSTOMER_UPLOAD: "Customer added a file",
    Kind.REOPENED: "Customer reopened",
    Kind.FEEDBACK: "rated 4/5",
    Kind.SLA_BREACHED: "SLA breached",
    Kind.MERGED: ": merged into",
    Kind.REVIEW_REQUESTED: "Internal review requested",
    Kind.REVIEW_CONCLUDED: "internal review concluded",
}
COMMENT_SUBJECTS = {Visibility.PUBLIC: "New reply on", Visibility.INTERNAL: "Internal note on"}


def run_notifications(after_id: int) -> None:
    """Run the complaint notification handlers of every event emitted after ``after_id``."""
    for event in OutboxEvent.objects.filter(id__gt=after_id).order_by("id"):
        for name in dispatch.handlers_for(event.type):
            if name.startswith("complaints.tasks.notify_"):
                dispatch.handler(name)(envelope_for(event))


def act_and_notify(world: World, kind: Kind, visibility: Visibility, mailoutbox) -> list:
    """Do the row's action; the emails its own event sent (set-up events are discarded)."""
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ACTIONS[(kind, visibility)](world)
    # Only the row's event counts: the set-up (filing, assigning, moving) emits others.
    emitted = list(OutboxEvent.objects.filter(id__gt=last).order_by("id"))
    mailoutbox.clear()
    run_notifications(emitted[-1].id - 1)
    subject = COMMENT_SUBJECTS[visibility] if kind == Kind.STAFF_COMMENT else SUBJECT_OF[kind]
    return [m for m in mailoutbox if subject in m.subject]


def test_every_row_has_an_action():
    assert set(ACTIONS) == set(notification_matrix.MATRIX)


@pytest.mark.parametrize(
    ("kind", "visibility", "audience", "channels"),
    CELLS,
    ids=[f"{k.value}-{v.value}-{a.value}" for k, v, a, _ in CELLS],
)
def test_cell(kind, visibility, audience, channels, category, mailoutbox):
    assert {c.value for c in channels} == expected(kind.value, visibility.value, audience.value)

    world = World(category)
    sent = act_and_notify(world, kind, visibility, mailoutbox)
    person = world.person(audience.value)
    emailed = any(person.email in m.to for m in sent)
    assert emailed == (E in expected(kind.value, visibility.value, audience.value))
    if audience == Audience.HANDLER:
        # In the app: the marker on the handler's queue row of the complaint acted on.
        acted_on = OutboxEvent.objects.order_by("-id").values_list("aggregate_id", flat=True)[0]
        marked = unread_for(person, acted_on)
        assert marked == (APP in expected(kind.value, visibility.value, audience.value))


def unread_for(user, complaint_id) -> bool | None:
    rows, _ = selectors.complaint_list(user=user, filters={}).page(offset=0, limit=100)
    items = output.complaint_list_items(rows, user=user)
    return next(item[UNREAD] for item in items if item["id"] == str(complaint_id))


def test_the_in_app_channel_moves_the_customer_activity_of_exactly_its_kinds():
    assert {kind for kind in Kind if notification_matrix.marks_unread(kind)} == {
        Kind(kind) for (kind, _), row in EXPECTED.items() if APP in row.get("handler", set())
    }


def test_unassigned_complaints_go_to_the_default_assignee_then_the_supervisors(
    category, mailoutbox
):
    world = World(category)
    complaint = make_complaint(customer=world.customer, category=category)
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.comment_create(complaint=complaint, author=world.customer, body="Hello?")
    run_notifications(last)
    assert [m.to for m in mailoutbox] == [[world.supervisor.email]]

    category.default_assignee = world.colleague
    category.save()
    mailoutbox.clear()
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.comment_create(complaint=complaint, author=world.customer, body="Hello again?")
    run_notifications(last)
    assert [m.to for m in mailoutbox] == [[world.colleague.email]]


def test_nobody_is_told_of_their_own_action(category, mailoutbox):
    world = World(category)
    complaint = world.complaint()
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.comment_create(complaint=complaint, author=world.assignee, body="note", internal=True)
    run_notifications(last)
    assert mailoutbox == []


def test_an_assignment_already_superseded_tells_nobody(category, mailoutbox):
    world = World(category)
    complaint = make_complaint(customer=world.customer, category=category)
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.complaint_assign(complaint=complaint, actor=world.admin, assignee=world.assignee)
    services.complaint_assign(complaint=complaint, actor=world.admin, assignee=world.colleague)
    run_notifications(last)
    assert [m.to for m in mailoutbox] == [[world.colleague.email]]


def test_staff_uploads_tell_nobody(category, mailoutbox):
    world = World(category)
    complaint = world.complaint()
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    upload = SimpleUploadedFile("label.txt", b"Return label", content_type="text/plain")
    attachments.attachment_add(complaint=complaint, uploader=world.colleague, upload=upload)
    run_notifications(last)
    assert mailoutbox == []


def test_every_kind_is_offered_to_exactly_the_roles_it_emails():
    assert notification_matrix.emailed_roles(Kind.RESOLVED) == {Role.CUSTOMER}
    assert notification_matrix.emailed_roles(Kind.CUSTOMER_REPLY) == {
        Role.AGENT,
        Role.SUPERVISOR,
        Role.ADMIN,
    }
    assert notification_matrix.emailed_roles(Kind.STAFF_COMMENT) == {
        Role.CUSTOMER,
        Role.AGENT,
        Role.SUPERVISOR,
        Role.ADMIN,
    }
    assert notification_matrix.emailed_roles(Kind.SLA_BREACHED) == {Role.SUPERVISOR}
