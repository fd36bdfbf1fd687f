"""Shared fixtures: databases on both back-ends, cheap password hashing.

Every test that takes the `database_url` fixture (or `database`, `admin`)
runs twice: on a SQLite file in tmp_path, and on a fresh database in the
PostgreSQL server named by CRM_TEST_DATABASE_URL, created for the test and
dropped after it. Without that variable the PostgreSQL runs are skipped.
"""

from __future__ import annotations

import os

# Before anything imports Qt: no display here, and Qt picks its platform once.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg  # noqa: E402
import pytest  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crm_desktop.db.database import Database, open_database  # noqa: E402
from crm_desktop.security import passwords  # noqa: E402
from crm_desktop.security.roles import CurrentUser  # noqa: E402
from crm_desktop.services import setup  # noqa: E402
from tests.samples import samples_dir  # noqa: E402

ADMIN_NAME = "admin"
ADMIN_PASSWORD = "correct horse battery"
POSTGRES_HINT = (
    "PostgreSQL variant: set CRM_TEST_DATABASE_URL (e.g. "
    "postgresql://postgres@127.0.0.1:5432/postgres) to run it"
)

# `should` results of the sample cases, printed at the end of the run.
SHOULD_FAILURES: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    # argon2's real cost (about 0.2 s a hash) would dominate the suite.
    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # platformdirs and QSettings must not touch the real home folder.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)


def _postgres_server_url() -> str | None:
    return os.environ.get("CRM_TEST_DATABASE_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty database on each back-end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crm.db'}"
        return
    server = _postgres_server_url()
    if server is None:
        pytest.skip(POSTGRES_HINT)
    yield from _fresh_postgres_database(server)


def _fresh_postgres_database(server: str) -> Iterator[str]:
    url = make_url(server).set(drivername="postgresql")
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    maintenance = url.render_as_string(hide_password=False)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An opened, migrated, empty database on each back-end."""
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def admin(database: Database) -> CurrentUser:
    """The first administrator of the test database."""
    with database.session() as session:
        return setup.initialize(session, ADMIN_NAME, ADMIN_PASSWORD)


def pytest_configure(config: pytest.Config) -> None:
    # The sample cases are real files outside the repository; without them
    # a third of the import tests cannot run, and skipping them would pass a
    # suite that checked nothing of the sort.
    folder = samples_dir()
    if not (folder / "README.md").is_file():
        raise pytest.UsageError(
            f"The sample cases are not at {folder}: put the shared folder "
            "beside the repository, or set CRM_SAMPLES_DIR to its data/samples."
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SHOULD_FAILURES:
        terminalreporter.section("sample cases: 'should' checks not met")
        for line in SHOULD_FAILURES:
            terminalreporter.write_line(line)
