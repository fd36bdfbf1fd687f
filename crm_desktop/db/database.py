"""One open database: its engine, its session factory and its schema version."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crm_desktop.db import migrate
from crm_desktop.db.engine import (
    WRITE_OPTION,
    describe_url,
    make_engine,
    normalize_url,
)
from crm_desktop.db.errors import DatabaseUnavailableError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Database:
    """An opened, migrated database, shared by every part of the program."""

    url: URL
    engine: Engine
    session_factory: sessionmaker[Session]
    schema_revision: str

    @property
    def backend(self) -> str:
        """Return 'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @property
    def description(self) -> str:
        """Return a password-free description for status bars and logs."""
        return describe_url(self.url)

    def session(self) -> Session:
        """Open a new session; the caller closes it (use it as a context)."""
        return self.session_factory()

    def write_session(self) -> Session:
        """Open a session that will write; on SQLite it takes the write lock
        when it begins, so it waits its turn behind another writer instead
        of failing with "database is locked" when it first writes."""
        writer = self.engine.execution_options(**{WRITE_OPTION: True})
        return self.session_factory(bind=writer)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | URL, *, create: bool = True) -> Database:
    """Open the database at a URL, creating or migrating its schema.

    Args:
        create: make a new SQLite file when there is none, and the schema
            in an empty database; otherwise a missing file or an empty
            database is an error (a mistyped path must not quietly become
            an empty database).

    Raises:
        DatabaseUnavailableError: it cannot be reached or opened.
        SchemaTooNewError: a newer crm-desktop wrote it.
    """
    parsed = normalize_url(url)
    if not create and parsed.get_backend_name() == "sqlite":
        _require_sqlite_file(parsed)
    engine = make_engine(parsed)
    try:
        if not create:
            _require_schema(engine, parsed)
        revision = migrate.upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"Cannot open the database {describe_url(parsed)}: {_first_line(exc.orig)}"
        ) from exc
    except Exception:
        engine.dispose()
        raise
    logger.info("opened %s at schema %s", describe_url(parsed), revision)
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(parsed, engine, factory, revision)


def _require_schema(engine: Engine, url: URL) -> None:
    with engine.connect() as connection:
        revision = migrate.current_revision(connection)
    if revision is None:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"{describe_url(url)} holds no crm-desktop data yet; create it "
            "with 'crm-desktop init' or check the URL."
        )


def _require_sqlite_file(url: URL) -> None:
    path = url.database
    if path and path != ":memory:" and not Path(path).expanduser().is_file():
        raise DatabaseUnavailableError(
            f"There is no database file at {path}; create one with "
            "'crm-desktop init' or check the path."
        )


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
