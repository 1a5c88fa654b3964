"""Build complaints in any workflow status through the real services."""

from complaints import merging, services
from complaints.workflow import Status
from tests.helpers.factories import CategoryFactory

# The shortest legal path from NEW to each status: (status, who moves it) pairs.
SYSTEM = "system"
OWNER = "owner"
PATHS: dict[str, list[tuple[str, str]]] = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: [(Status.ACKNOWLEDGED, SYSTEM)],
    Status.IN_PROGRESS: [(Status.ACKNOWLEDGED, SYSTEM), (Status.IN_PROGRESS, SYSTEM)],
    Status.AWAITING_CUSTOMER: [
        (Status.ACKNOWLEDGED, SYSTEM),
        (Status.IN_PROGRESS, SYSTEM),
        (Status.AWAITING_CUSTOMER, SYSTEM),
    ],
    Status.RESOLVED: [
        (Status.ACKNOWLEDGED, SYSTEM),
        (Status.IN_PROGRESS, SYSTEM),
        (Status.RESOLVED, SYSTEM),
    ],
    Status.CLOSED: [
        (Status.ACKNOWLEDGED, SYSTEM),
        (Status.IN_PROGRESS, SYSTEM),
        (Status.RESOLVED, SYSTEM),
        (Status.CLOSED, SYSTEM),
    ],
    Status.REOPENED: [
        (Status.ACKNOWLEDGED, SYSTEM),
        (Status.IN_PROGRESS, SYSTEM),
        (Status.RESOLVED, SYSTEM),
        (Status.REOPENED, OWNER),
    ],
    Status.REJECTED: [(Status.REJECTED, SYSTEM)],
    Status.WITHDRAWN: [(Status.WITHDRAWN, OWNER)],
    Status.MERGED: [],  # then merged into a new complaint of the same customer
}


def _remedy_outcome(complaint, to_status) -> str:
    """The outcome a resolution or rejection records when the customer asked for a remedy."""
    if not complaint.remedy_sought or to_status not in {Status.RESOLVED, Status.REJECTED}:
        return ""
    return "granted" if to_status == Status.RESOLVED else "declined"


def make_complaint(*, customer, category=None, status=Status.NEW, **create_kwargs):
    complaint = services.complaint_create(
        customer=customer,
        category=category or CategoryFactory.create(),
        title=create_kwargs.pop("title", "Broken kettle"),
        description=create_kwargs.pop("description", "It stopped working after a week."),
        actor=customer,
        **create_kwargs,
    )
    for to_status, who in PATHS[status]:
        complaint = services.complaint_transition(
            complaint=complaint,
            actor=customer if who == OWNER else None,
            to_status=to_status,
            reason="Because." if to_status in {Status.RESOLVED, Status.REJECTED} else "",
            remedy_outcome=_remedy_outcome(complaint, to_status),
        )
    if status == Status.MERGED:
        into = make_complaint(customer=customer, category=complaint.category)
        complaint = merging.complaint_merge(complaint=complaint, into_id=into.pk, actor=None)
    return complaint
