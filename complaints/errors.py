"""Complaint domain errors: plain exceptions, free of HTTP.

Services, selectors and the attachment use cases raise these (bad input stays Django's
``ValidationError``, field -> messages). ``complaints_project.exceptions`` maps each class to
its HTTP answer for the API; the admin shows ``str(error)``.
"""

from __future__ import annotations

from typing import Any


class ComplaintError(Exception):
    """Base class; ``extra`` holds machine-readable fields the API adds to the body."""

    default_message = "The request cannot be carried out."

    def __init__(self, message: str | None = None, **extra: Any):
        self.message = message or self.default_message
        self.extra = extra
        super().__init__(self.message)


class NotFound(ComplaintError):
    """No such object, or the actor may not see it (another customer's complaint)."""

    default_message = "No such object."


class NotAllowed(ComplaintError):
    """The actor may see the object but not do this (their role does not allow it)."""

    default_message = "You may not do this."


class SupervisorsOnly(NotAllowed):
    """Staff who can see the complaint asked for what only supervisors and admins may do.

    Unlike other refusals its message reaches the caller (403 with ``code``): staff already
    see the complaint, and the message says who may do it instead.
    """

    default_message = "Only supervisors and admins may do this."

    def __init__(self, message: str | None = None):
        super().__init__(message, code="supervisors_only")


class EmailNotVerified(ComplaintError):
    """A customer whose email is not verified yet tried to file a complaint."""

    default_message = (
        "Please confirm your email address first: open the link we emailed you "
        "(or ask for a new one on My account)."
    )

    def __init__(self, message: str | None = None):
        super().__init__(message, code="email_not_verified")


class ConflictError(ComplaintError):
    """The request conflicts with the object's current state; ``current_status`` if known."""

    default_message = "The request conflicts with the current state of the resource."


class TransitionNotAllowed(ConflictError):
    """The requested status move is not legal for this actor now."""

    def __init__(
        self,
        *,
        current_status: str,
        to_status: str,
        allowed: list[str],
        message: str | None = None,
    ):
        self.current_status = str(current_status)
        self.to_status = str(to_status)
        self.allowed = [str(s) for s in allowed]
        super().__init__(
            message
            or f"Cannot move a complaint from '{self.current_status}' to '{self.to_status}'.",
            current_status=self.current_status,
            allowed=self.allowed,
        )


class IdempotencyKeyReused(ConflictError):
    default_message = "This Idempotency-Key was already used with a different request."


class PayloadTooLarge(ComplaintError):
    default_message = "The uploaded content is too large."


class UnsupportedFileType(ComplaintError):
    """The bytes are none of the allowed types; ``allowed_types`` lists them."""

    def __init__(self, *, allowed_types: list[str]):
        super().__init__(
            f"Unsupported file type. Allowed types: {', '.join(allowed_types)}.",
            allowed_types=list(allowed_types),
        )


class AttachmentContentUnavailable(NotFound):
    """The attachment's file is gone from storage or does not decrypt (edited, key missing)."""

    default_message = "The attachment's content is no longer available."
