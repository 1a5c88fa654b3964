"""Account domain errors: plain exceptions, free of HTTP.

``complaints_project.exceptions`` maps them to their HTTP answer; ``code`` is part of the API
contract (clients branch on it), ``message`` is for people.
"""

from __future__ import annotations


class AccountError(Exception):
    default_message = "The request cannot be carried out."
    code = "account_error"

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        self.extra = {"code": self.code}
        super().__init__(self.message)


class TokenInvalid(AccountError):
    """Malformed, tampered with, made for another account, or already used."""

    default_message = "This link is not valid or has already been used."
    code = "token_invalid"


class TokenExpired(AccountError):
    default_message = "This link has expired. Ask for a new one."
    code = "token_expired"


class BrowserSessionInvalid(AccountError):
    """Unknown, revoked or expired browser session (the user logs in again)."""

    default_message = "This session has ended. Please log in again."
    code = "session_ended"
