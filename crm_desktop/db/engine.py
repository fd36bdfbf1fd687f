"""The engine for a database URL, with each back-end set up the same way."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError

from crm_desktop.db.errors import DatabaseUnavailableError

logger = logging.getLogger(__name__)

# How long a writer waits for another PC's write to finish before SQLite
# reports "database is locked". A big import holds the lock for its whole
# write (100,000 contacts take tens of seconds), so wait a minute.
SQLITE_BUSY_TIMEOUT_MS = 60_000

# The execution option that makes a connection's transactions start as
# writers; Database.write_session() sets it.
WRITE_OPTION = "crm_writer"


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; a bare path means a SQLite file.

    Raises:
        DatabaseUnavailableError: the text is not a URL we can use.
    """
    if isinstance(url, URL):
        parsed = url
    elif "://" not in url:
        parsed = URL.create("sqlite", database=str(Path(url).expanduser()))
    else:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise DatabaseUnavailableError(
                f"'{url}' is not a database URL (try sqlite:///path/to/crm.db "
                "or postgresql://user@host/dbname)."
            ) from exc
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise DatabaseUnavailableError(
            f"crm-desktop works with SQLite and PostgreSQL, not '{parsed.drivername}'."
        )
    return parsed


def describe_url(url: URL) -> str:
    """Return the URL as it may be shown or logged: never with a password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or ':memory:'}"
    # The driver normalize_url chose is no business of the user's: show
    # the postgresql:// form they type.
    shown = url.set(drivername=url.get_backend_name())
    return shown.render_as_string(hide_password=True)


def _check_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseUnavailableError(
            f"The folder {folder} for the database file does not exist; "
            "create it first or choose another path."
        )


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # NOTE: foreign_keys is off on every new SQLite connection, and
    # synchronous cannot change inside a transaction, so both go here,
    # before SQLAlchemy opens one.
    # WORKAROUND: the sqlite3 module's own transaction handling starts
    # transactions late and breaks SAVEPOINT; with it off, _on_sqlite_begin
    # starts each one, as SQLAlchemy's documentation advises.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # NOTE: a deferred transaction that read first and then writes cannot
    # wait for the lock in WAL mode: once another writer has committed,
    # SQLite returns "database is locked" at once, ignoring busy_timeout.
    # A session meant to write therefore takes the write lock at BEGIN,
    # where busy_timeout applies; reads stay deferred and never block.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the engine for a URL: SQLite file or PostgreSQL server.

    Raises:
        DatabaseUnavailableError: the URL is unusable or its folder is missing.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_folder(parsed)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
    logger.debug("engine for %s", describe_url(parsed))
    return engine
