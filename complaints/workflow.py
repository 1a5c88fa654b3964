"""The complaint status workflow as data.

One map says who may move a complaint from where to where. The transition service, the
API's 409 answer, the admin actions and the Streamlit buttons all read it.
"""

from django.db import models

from accounts.roles import HANDLER_ROLES, Role


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MERGED = "merged", "Merged"


HANDLERS = HANDLER_ROLES
CUSTOMER = frozenset({Role.CUSTOMER})
EVERYONE = HANDLERS | CUSTOMER

# from -> {to -> roles allowed to make that move}
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Status.NEW: {
        Status.ACKNOWLEDGED: HANDLERS,
        Status.REJECTED: HANDLERS,
        Status.WITHDRAWN: CUSTOMER,
    },
    Status.ACKNOWLEDGED: {
        Status.IN_PROGRESS: HANDLERS,
        Status.REJECTED: HANDLERS,
        Status.WITHDRAWN: CUSTOMER,
    },
    Status.IN_PROGRESS: {
        Status.AWAITING_CUSTOMER: HANDLERS,
        Status.RESOLVED: HANDLERS,
        Status.REJECTED: HANDLERS,
        Status.WITHDRAWN: CUSTOMER,
    },
    Status.AWAITING_CUSTOMER: {
        Status.IN_PROGRESS: HANDLERS,
        Status.RESOLVED: HANDLERS,
        Status.WITHDRAWN: CUSTOMER,
    },
    Status.RESOLVED: {
        Status.CLOSED: EVERYONE,
        Status.REOPENED: CUSTOMER,
    },
    Status.REOPENED: {
        Status.IN_PROGRESS: HANDLERS,
        Status.WITHDRAWN: CUSTOMER,
    },
    Status.CLOSED: {},
    Status.REJECTED: {},
    Status.WITHDRAWN: {},
    # Entered only by merging the complaint into another (``complaints.merging``): the move
    # needs the complaint it joins, so no transition leads here.
    Status.MERGED: {},
}

# Moves that must carry a reason (stored as the resolution or rejection reason).
REASON_REQUIRED = frozenset({Status.REJECTED, Status.RESOLVED})

# Statuses in which the complaint still waits for the organisation to act.
OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.AWAITING_CUSTOMER,
        Status.REOPENED,
    }
)
# Statuses in which the resolve clock stands still (it resumes when the complaint leaves them).
SLA_PAUSED_STATUSES = frozenset({Status.AWAITING_CUSTOMER})
# Statuses in which the resolve clock runs (and can run late).
RESOLVE_CLOCK_STATUSES = OPEN_STATUSES - SLA_PAUSED_STATUSES
# Statuses that stop the resolution clock.
FINISHED_STATUSES = frozenset(
    {Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED}
)
# Statuses nobody can move a complaint out of.
FINAL_STATUSES = frozenset(status for status, moves in TRANSITIONS.items() if not moves)
# A complaint may be merged into another, and receive one, while it can still move.
MERGEABLE_STATUSES = frozenset(TRANSITIONS) - FINAL_STATUSES


def allowed_next_statuses(current: str, role: str) -> list[str]:
    """Statuses the given role may move a complaint to from ``current``, in workflow order."""
    return [to for to, roles in TRANSITIONS.get(current, {}).items() if role in roles]
