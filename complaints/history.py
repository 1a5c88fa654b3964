"""The complaint's history: appending entries, and saying them in words."""

from collections.abc import Mapping
from uuid import UUID

from accounts.models import User
from complaints.models import Complaint, HistoryEntry, HistoryKind
from complaints.workflow import Status

# What an SLA breach entry's value (the clock) means.
SLA_CLOCK_TEXT = {
    "acknowledge": "Deadline to acknowledge missed",
    "resolve": "Deadline to resolve missed",
}


def history_record(
    *,
    complaint: Complaint,
    actor: User | None,
    kind: HistoryKind,
    from_value: str | int | UUID | None = "",
    to_value: str | int | UUID | None = "",
    is_internal: bool = False,
) -> HistoryEntry:
    """Append one history entry; call inside the use case's transaction."""
    return HistoryEntry.objects.create(
        complaint=complaint,
        actor=actor,
        kind=kind,
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        is_internal=is_internal,
    )


def _status_label(value: str) -> str:
    return dict(Status.choices).get(value, value)


def history_change(entry: HistoryEntry, *, people: Mapping[str, str]) -> str:
    """What an entry changed, in words: statuses by label, assignees by name (``people``:
    user id -> name, see ``selectors.history_people``). Empty where the kind says it all."""
    old, new = entry.from_value, entry.to_value
    if entry.kind in (HistoryKind.STATUS_CHANGED, HistoryKind.CREATED):
        old, new = _status_label(old), _status_label(new)
    elif entry.kind == HistoryKind.ASSIGNEE_CHANGED:
        old, new = (people.get(v, "a former user") if v else "Unassigned" for v in (old, new))
    elif entry.kind == HistoryKind.FEEDBACK_RECEIVED:
        return f"{new}/5 stars"
    elif entry.kind == HistoryKind.SLA_BREACHED:
        return SLA_CLOCK_TEXT.get(new, new)
    elif entry.kind == HistoryKind.COMMENT_ADDED:
        return ""
    return f"{old} → {new}" if old and new else new or old
