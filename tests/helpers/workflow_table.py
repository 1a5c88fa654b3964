"""The complaint workflow typed out by hand, from the product description.

Tests compare ``complaints.workflow`` (and what the services and the API do) against this
table instead of against ``TRANSITIONS`` itself, so a wrong map fails a test.
"""

STAFF = frozenset({"agent", "supervisor", "admin"})
CUSTOMER = frozenset({"customer"})
EVERYONE = STAFF | CUSTOMER
ROLES = ("customer", "agent", "supervisor", "admin")

# (from, to) -> the roles that may make the move.
MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("new", "acknowledged"): STAFF,
    ("new", "rejected"): STAFF,
    ("new", "withdrawn"): CUSTOMER,
    ("acknowledged", "in_progress"): STAFF,
    ("acknowledged", "rejected"): STAFF,
    ("acknowledged", "withdrawn"): CUSTOMER,
    ("in_progress", "awaiting_customer"): STAFF,
    ("in_progress", "resolved"): STAFF,
    ("in_progress", "rejected"): STAFF,
    ("in_progress", "withdrawn"): CUSTOMER,
    ("awaiting_customer", "in_progress"): STAFF,
    ("awaiting_customer", "resolved"): STAFF,
    ("awaiting_customer", "withdrawn"): CUSTOMER,
    ("resolved", "closed"): EVERYONE,
    ("resolved", "reopened"): CUSTOMER,
    ("reopened", "in_progress"): STAFF,
    ("reopened", "withdrawn"): CUSTOMER,
}

# Every status, in workflow order.
STATUSES = (
    "new",
    "acknowledged",
    "in_progress",
    "awaiting_customer",
    "resolved",
    "closed",
    "reopened",
    "rejected",
    "withdrawn",
    "merged",
)
LABELS = {
    "new": "New",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "awaiting_customer": "Awaiting customer",
    "resolved": "Resolved",
    "closed": "Closed",
    "reopened": "Reopened",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "merged": "Merged",
}
OPEN = frozenset({"new", "acknowledged", "in_progress", "awaiting_customer", "reopened"})
# "merged" is reached by merging into another complaint (no move of MOVES leads to it).
FINAL = frozenset({"closed", "rejected", "withdrawn", "merged"})
# A complaint can be merged, and receive a merged one, while it can still move.
MERGEABLE = frozenset(STATUSES) - FINAL
# The resolve clock stands still while the complaint awaits the customer (docs/sla.md).
RESOLVE_CLOCK_RUNS = OPEN - {"awaiting_customer"}
REASON_REQUIRED = frozenset({"resolved", "rejected"})


def moves_for(from_status: str, role: str) -> list[str]:
    """The statuses ``role`` may move a complaint in ``from_status`` to, in table order."""
    return [to for (start, to), roles in MOVES.items() if start == from_status and role in roles]


LEGAL = [
    (start, to, role) for (start, to), roles in MOVES.items() for role in ROLES if role in roles
]
