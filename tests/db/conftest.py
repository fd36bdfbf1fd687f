"""Fixtures of the database tests: a PostgreSQL database alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import POSTGRES_HINT, _fresh_postgres_database, _postgres_server_url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, for checks SQLite has no counterpart of."""
    server = _postgres_server_url()
    if server is None:
        pytest.skip(POSTGRES_HINT)
    yield from _fresh_postgres_database(server)
