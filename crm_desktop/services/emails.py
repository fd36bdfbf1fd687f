"""Email addresses: syntax check, normal form and matching key."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmailError(ValueError):
    """An email address that is not valid.

    Attributes:
        value: The value as given.
        reason: Why it is not valid, in plain words.
    """

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"'{value}' is not a valid email address: {reason}")
        self.value = value
        self.reason = reason


def normalize_email(value: str) -> str:
    """Check an email address's syntax and return its normal form.

    Only the syntax is checked; nothing is looked up on the network. The
    local part keeps the case it was typed in; the domain is lower-cased.

    Args:
        value: The address as typed; surrounding spaces are ignored.

    Returns:
        The normalised address, such as 'Renee.Lefevre@example.com'.

    Raises:
        InvalidEmailError: The value is not an email address.
    """
    text = value.strip()
    if not text:
        raise InvalidEmailError(value, "it is empty.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmailError(value, str(exc)) from None
    return result.normalized


def email_key(value: str) -> str:
    """Return the form of an address used to find the same address again.

    Args:
        value: An email address.

    Returns:
        The normalised address, case-folded.

    Raises:
        InvalidEmailError: The value is not an email address.
    """
    return normalize_email(value).casefold()
