"""Errors the services raise; the UI and the command line show them as is."""

from __future__ import annotations


class ServiceError(Exception):
    """A failure the user can understand and act on."""


class ValidationError(ServiceError):
    """A value the user gave is not acceptable; nothing was saved.

    Attributes:
        index: Which of a repeating field's values (a contact's second
            email is 1) is wrong; None for a field that does not repeat.
    """

    def __init__(
        self, record: str, field: str, reason: str, *, index: int | None = None
    ) -> None:
        super().__init__(f"{record}: {field}: {reason}")
        self.record = record
        self.field = field
        self.reason = reason
        self.index = index


class StaleRecordError(ServiceError):
    """Someone else saved the record after it was read; nothing was saved."""

    def __init__(self, record: str) -> None:
        super().__init__(
            f"{record} was changed by someone else since you opened it; "
            "nothing was saved. Reload it to see their changes."
        )
        self.record = record


class NotFoundError(ServiceError):
    """The record does not exist, or the user may not see it."""


class PermissionDeniedError(ServiceError):
    """The user's role does not allow this."""


class AuthenticationError(ServiceError):
    """A login failed: unknown user, wrong password, disabled or locked."""
