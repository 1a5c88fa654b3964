"""Who is told of what, and how: the notification matrix as data.

A row is one kind of notice, the visibility it occurs with (a public reply or an internal
note) and, per audience, the channels it goes out on. ``complaints.notifications`` sends the
emails by reading it; the in-app channel is the "unread activity" marker on staff queue rows.
A cell left out of a row means nothing for that audience. Adding a notice is adding a row
(and its email templates ``complaints/email/<kind>*``) and classifying its event in
``complaints.notifications``.

Audiences:
- ``customer``: the complaint's customer.
- ``handler``: the assignee; for an unassigned complaint the category's default assignee,
  else every active supervisor.
- ``supervisors``: every active supervisor (``AUDIENCE_ROLES``; admins are not in it).

Nobody is told of their own action, except where a row ``tells_actor`` (the receipt).
``docs/notifications.md`` carries the table (``markdown_table()``; a test keeps the two equal).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from accounts.notification_kinds import NotificationKind, notification_kind_register
from accounts.roles import HANDLER_ROLES, Role


class Kind(StrEnum):
    """A notice; its value is also the email template's name and the opt-out key."""

    RECEIVED = "complaint_received"
    STATUS_CHANGED = "status_changed"
    RESOLVED = "resolved"
    STAFF_COMMENT = "staff_comment"
    ASSIGNED = "assigned"
    CUSTOMER_REPLY = "customer_reply"
    CUSTOMER_UPLOAD = "customer_upload"
    REOPENED = "reopened"
    FEEDBACK = "feedback"
    SLA_BREACHED = "sla_breached"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Audience(StrEnum):
    CUSTOMER = "customer"
    HANDLER = "handler"
    SUPERVISORS = "supervisors"


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"


EMAIL = frozenset({Channel.EMAIL})

# The roles an audience can hold: who the "supervisors" audience is (admins are not in it),
# and which kinds the account page offers each role to turn off.
AUDIENCE_ROLES: Mapping[Audience, frozenset[str]] = {
    Audience.CUSTOMER: frozenset({Role.CUSTOMER}),
    Audience.HANDLER: HANDLER_ROLES,
    Audience.SUPERVISORS: frozenset({Role.SUPERVISOR}),
}


@dataclass(frozen=True)
class Row:
    kind: Kind
    visibility: Visibility
    to: Mapping[Audience, frozenset[Channel]] = field(default_factory=dict)
    # The actor is told too (a receipt goes to the customer who filed the complaint).
    tells_actor: bool = False

    def channels(self, audience: Audience) -> frozenset[Channel]:
        return self.to.get(audience, frozenset())


LABELS: Mapping[Kind, str] = {
    Kind.RECEIVED: "We received your complaint",
    Kind.STATUS_CHANGED: "The status of your complaint changed",
    Kind.RESOLVED: "Your complaint was resolved",
    Kind.STAFF_COMMENT: "A new reply from staff (for staff: a colleague's internal note)",
    Kind.ASSIGNED: "A complaint was assigned to you",
    Kind.CUSTOMER_REPLY: "A customer replied on a complaint you handle",
    Kind.CUSTOMER_UPLOAD: "A customer added a file to a complaint you handle",
    Kind.REOPENED: "A customer reopened a complaint you handle",
    Kind.FEEDBACK: "A customer rated a complaint you handled",
    Kind.SLA_BREACHED: "A complaint missed its SLA",
}

ROWS: tuple[Row, ...] = (
    Row(Kind.RECEIVED, Visibility.PUBLIC, {Audience.CUSTOMER: EMAIL}, tells_actor=True),
    Row(Kind.STATUS_CHANGED, Visibility.PUBLIC, {Audience.CUSTOMER: EMAIL}),
    Row(Kind.RESOLVED, Visibility.PUBLIC, {Audience.CUSTOMER: EMAIL}),
    Row(Kind.STAFF_COMMENT, Visibility.PUBLIC, {Audience.CUSTOMER: EMAIL}),
    Row(Kind.STAFF_COMMENT, Visibility.INTERNAL, {Audience.HANDLER: EMAIL}),
    Row(Kind.ASSIGNED, Visibility.INTERNAL, {Audience.HANDLER: EMAIL}),
    Row(Kind.CUSTOMER_REPLY, Visibility.PUBLIC, {Audience.HANDLER: EMAIL}),
    Row(Kind.CUSTOMER_UPLOAD, Visibility.PUBLIC, {Audience.HANDLER: EMAIL}),
    Row(Kind.REOPENED, Visibility.PUBLIC, {Audience.HANDLER: EMAIL}),
    Row(Kind.FEEDBACK, Visibility.PUBLIC, {Audience.HANDLER: EMAIL}),
    Row(Kind.SLA_BREACHED, Visibility.INTERNAL, {Audience.SUPERVISORS: EMAIL}),
)

MATRIX: Mapping[tuple[Kind, Visibility], Row] = {(row.kind, row.visibility): row for row in ROWS}


def channels(kind: Kind, visibility: Visibility, audience: Audience) -> frozenset[Channel]:
    """The channels ``audience`` is told of ``kind`` on; none for a pair with no row."""
    row = MATRIX.get((kind, visibility))
    return row.channels(audience) if row is not None else frozenset()


def tells_actor(kind: Kind, visibility: Visibility) -> bool:
    row = MATRIX.get((kind, visibility))
    return row is not None and row.tells_actor


def cells() -> Iterator[tuple[Kind, Visibility, Audience, frozenset[Channel]]]:
    """Every cell: each row by each audience (empty channels included)."""
    for row in ROWS:
        for audience in Audience:
            yield row.kind, row.visibility, audience, row.channels(audience)


def emailed_roles(kind: Kind) -> frozenset[str]:
    """The roles that can receive ``kind`` by email (what they may turn off)."""
    roles: set[str] = set()
    for row in ROWS:
        if row.kind == kind:
            for audience, chans in row.to.items():
                if Channel.EMAIL in chans:
                    roles |= AUDIENCE_ROLES[audience]
    return frozenset(roles)


def register_kinds() -> None:
    """Tell accounts which kinds exist, so users can turn their emails off."""
    for kind in Kind:
        notification_kind_register(
            NotificationKind(key=kind.value, label=LABELS[kind], roles=emailed_roles(kind))
        )


def markdown_table() -> str:
    """The matrix as the Markdown table of ``docs/notifications.md``."""
    audiences = list(Audience)
    lines = [
        "| notice | visibility | " + " | ".join(a.value for a in audiences) + " |",
        "| --- | --- | " + " | ".join("---" for _ in audiences) + " |",
    ]
    for row in ROWS:
        cells_ = [", ".join(sorted(c.value for c in row.channels(a))) or "—" for a in audiences]
        lead = f"| `{row.kind.value}` | {row.visibility.value} | "
        lines.append(lead + " | ".join(cells_) + " |")
    return "\n".join(lines)
