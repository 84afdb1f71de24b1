"""Domain errors raised by services; the API maps them to status codes, the console to messages."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """The request asks for something the data does not allow (400, naming the field)."""


class NotPermitted(DomainError):
    """The caller's role does not allow this action (403)."""

    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The object is not in a state that allows this action (409)."""

    status_code = 409
    code = "conflict"
