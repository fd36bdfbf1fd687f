"""Database URLs are shown in the form users type, without their password."""

from __future__ import annotations

import pytest

from crm_desktop.db.engine import describe_url, normalize_url


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            "postgresql://ada:pw@db.example:5432/crm",
            "postgresql://ada:***@db.example:5432/crm",
        ),
        ("postgres://ada@db.example/crm", "postgresql://ada@db.example/crm"),
        ("postgresql+psycopg://ada@db.example/crm", "postgresql://ada@db.example/crm"),
        ("sqlite:////tmp/crm.db", "SQLite /tmp/crm.db"),
    ],
)
def test_description_is_the_typed_form_without_password(typed: str, shown: str) -> None:
    assert describe_url(normalize_url(typed)) == shown
