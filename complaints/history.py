from uuid import UUID

from accounts.models import User
from complaints.models import Complaint, HistoryEntry, HistoryKind


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
