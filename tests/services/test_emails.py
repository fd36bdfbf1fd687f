"""Tests for email address checking and matching keys."""

from __future__ import annotations

import pytest

from crm_desktop.services.emails import InvalidEmailError, email_key, normalize_email


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("renee.lefevre@example.com", "renee.lefevre@example.com"),
        ("  Zoe.Ashworth@Example.COM ", "Zoe.Ashworth@example.com"),
        ("JOSE.PENA@EXAMPLE.ORG", "JOSE.PENA@example.org"),
    ],
)
def test_normalize_email_keeps_local_case_and_lowers_domain(
    value: str, normalised: str
) -> None:
    assert normalize_email(value) == normalised


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not-an-email", "@-sign"),
        ("bob@", "after the @-sign"),
        ("", "empty"),
    ],
)
def test_invalid_addresses_raise_with_a_plain_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidEmailError) as caught:
        normalize_email(value)

    assert caught.value.value == value
    assert reason in caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_email_key_matches_whatever_the_case() -> None:
    assert email_key("Zoe.Ashworth@Example.COM") == "zoe.ashworth@example.com"
    assert email_key("ZOE.ASHWORTH@example.com") == email_key(
        "zoe.ashworth@example.com"
    )
