"""Automatic triage of new complaints: urgency by keywords/category, then an assignee.

Runs as the system (actor=None) through the complaint services, so history and events are
recorded like any other change. The picked agent's row stays locked (FOR NO KEY UPDATE) until
the triage transaction commits, and concurrent triages skip locked agents, so two triage
tasks running at once never pick the same "least recently assigned" agent, and they do not
wait for each other while free agents remain (one global lock made triage serial).
"""

import logging
import re

from django.conf import settings
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast

from accounts.models import Role, User
from complaints.models import Complaint, HistoryEntry, HistoryKind, Priority
from complaints.workflow import FINISHED_STATUSES

logger = logging.getLogger(__name__)


def _keywords_re() -> re.Pattern | None:
    words = [w.strip().lower() for w in settings.TRIAGE_URGENT_KEYWORDS if w.strip()]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def urgency_for(complaint: Complaint) -> Priority | None:
    """The priority the rules demand, if any.

    Keywords in the title → urgent; a category listed as urgent → high.
    """
    pattern = _keywords_re()
    if pattern and pattern.search(complaint.title or ""):
        return Priority.URGENT
    if complaint.category.slug in settings.TRIAGE_URGENT_CATEGORY_SLUGS:
        return Priority.HIGH
    return None


def _assignable(user: User | None) -> bool:
    return bool(user and user.is_active and user.is_handler and user.erased_at is None)


def next_agent(*, lock: bool = False, skip_locked: bool = True) -> User | None:
    """The active agent assigned least recently (never-assigned first).

    ``lock``: row-lock the agent until the transaction ends, skipping agents other
    transactions hold (``skip_locked``) or waiting for the first of them.
    """
    last_assigned = (
        HistoryEntry.objects.filter(
            kind=HistoryKind.ASSIGNEE_CHANGED,
            to_value=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    agents = (
        User.objects.filter(role=Role.AGENT, is_active=True, erased_at__isnull=True)
        # What assigning reads; no pgcrypto column (a decryption each) and less SQL to build.
        .only("id", "role", "is_active", "erased_at")
        .annotate(last_assigned=Subquery(last_assigned))
        .order_by(F("last_assigned").asc(nulls_first=True), "date_joined", "id")
    )
    if lock:
        # NO KEY UPDATE: foreign keys to the agent (FOR KEY SHARE) are not blocked.
        agents = agents.select_for_update(no_key=True, skip_locked=skip_locked)
    return agents.first()


def pick_agent() -> User | None:
    """Lock and return the agent to assign. Call inside the triage transaction."""
    agent = next_agent(lock=True)
    agents = User.objects.filter(role=Role.AGENT, is_active=True, erased_at__isnull=True)
    if agent is not None or not agents.exists():
        return agent
    # Every agent is held by a concurrent triage: wait for one to commit, then pick again
    # (that commit may have made another agent the least recently assigned).
    waited = next_agent(lock=True, skip_locked=False)
    return next_agent(lock=True) or waited


def triage_complaint(complaint_id: str) -> dict:
    """Apply the urgency rule and assign. Call inside a transaction (the task's claim)."""
    from complaints.services import complaint_assign, complaint_reroute

    # Locked first, so the "no assignee yet" check below cannot race a handler assigning it.
    # Only what the rules read is loaded; the services re-read what they write.
    default = "category__default_assignee"
    try:
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related(default)
            .only(
                "id",
                "title",
                "status",
                "priority",
                "assignee_id",
                "category__slug",
                *(f"{default}__{name}" for name in ("id", "role", "is_active", "erased_at")),
            )
            .get(pk=complaint_id)
        )
    except Complaint.DoesNotExist:
        complaint = None
    result = {"priority_raised": False, "assignee_id": None}
    if complaint is None or complaint.status in FINISHED_STATUSES:
        return result

    wanted = urgency_for(complaint)
    if wanted is not None and complaint.priority < wanted:
        complaint = complaint_reroute(complaint=complaint, actor=None, priority=wanted)
        result["priority_raised"] = True

    if complaint.assignee_id is None:
        default_assignee = complaint.category.default_assignee
        assignee = default_assignee if _assignable(default_assignee) else pick_agent()
        if assignee is None:
            logger.warning("triage: no active agent to assign complaint %s", complaint.pk)
            return result
        complaint = complaint_assign(complaint=complaint, actor=None, assignee=assignee)
    result["assignee_id"] = str(complaint.assignee_id) if complaint.assignee_id else None
    return result
