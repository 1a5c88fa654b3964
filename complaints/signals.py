"""Domain signals sent by complaint services inside their transaction.

Receivers (the events app's outbox writer) run in the same transaction, so a rolled-back
change leaves no trace. Every signal is sent with ``sender=Complaint`` and keyword
arguments ``complaint`` and ``actor`` (None for the system) plus those listed.
"""

from django.dispatch import Signal

complaint_created = Signal()
complaint_status_changed = Signal()  # from_status, to_status
complaint_assigned = Signal()  # from_assignee_id, to_assignee_id
complaint_commented = Signal()  # comment
complaint_feedback_received = Signal()  # feedback
complaint_sla_breached = Signal()  # clock: "acknowledge" | "resolve", due_at
complaint_updated = Signal()  # changes: {field: (old, new)} for priority/category/title
