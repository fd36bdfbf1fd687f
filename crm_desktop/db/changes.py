"""The change feed: which tables other clients (and this one) have written.

On PostgreSQL the triggers of migration 0003 send each written table's name
on the channel crm_changes at commit; one extra connection LISTENs there.
SQLite has no notifications: a connection of the feed's own polls
`PRAGMA data_version`, which moves whenever any other connection, this
program's own pool included, commits a change to the file. It cannot say
which table changed, so every change there names all of FEED_TABLES.

The feed runs on a thread of its own and hands each batch of table names to
a callback on that thread, at most once per `interval`. Plain Python: the
UI carries the batches to the GUI thread (ui/change_feed.py).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Protocol

import psycopg
from sqlalchemy.engine.url import URL

from crm_desktop.db.engine import SQLITE_BUSY_TIMEOUT_MS, describe_url

logger = logging.getLogger(__name__)

CHANNEL = "crm_changes"
# The tables whose writes are announced (migration 0003); audit_log is not.
FEED_TABLES = frozenset(
    {
        "users",
        "settings",
        "companies",
        "contacts",
        "contact_emails",
        "contact_phones",
        "contact_addresses",
        "contact_urls",
        "tags",
        "contact_tags",
        "company_tags",
        "custom_fields",
        "contact_custom_values",
        "company_custom_values",
        "pipeline_stages",
        "deals",
        "deal_stage_history",
        "activities",
    }
)
# Batches go out at most this often: a burst of commits makes one refresh.
DELIVERY_INTERVAL_S = 0.3
# How often SQLite's data_version is read, and how long a LISTEN wait lasts
# before the thread looks whether it should stop.
POLL_INTERVAL_S = 0.3
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 10.0

ChangeCallback = Callable[[frozenset[str]], None]


class ChangeSource(Protocol):
    """One connection that hears of changes; used by the feed's thread only."""

    def wait(self, timeout: float) -> set[str]:
        """Return the tables changed since the last call, waiting up to `timeout`.

        Raises:
            psycopg.Error, sqlite3.Error: the connection failed.
        """

    def close(self) -> None: ...


class PostgresChangeSource:
    """A connection in LISTEN on the channel the triggers notify."""

    def __init__(self, url: URL) -> None:
        conninfo = url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> set[str]:
        # NOTE: one notifies() at a time: a second one while the first
        # generator is open waits for its lock for ever. stop_after=1 still
        # returns every notification that arrived with the first.
        notes = self._connection.notifies(timeout=timeout, stop_after=1)
        tables = {note.payload for note in notes}
        if tables:
            tables.update(n.payload for n in self._connection.notifies(timeout=0))
        return tables

    def close(self) -> None:
        self._connection.close()


class SqliteChangeSource:
    """A connection of its own that reads the file's data_version."""

    def __init__(self, url: URL) -> None:
        path = url.database or ""
        self._connection = sqlite3.connect(
            path,
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            uri=path.startswith("file:"),
        )
        self._version = self._read()

    def _read(self) -> int:
        row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def wait(self, timeout: float) -> set[str]:
        time.sleep(timeout)
        version = self._read()
        if version == self._version:
            return set()
        self._version = version
        return set(FEED_TABLES)

    def close(self) -> None:
        self._connection.close()


def open_source(url: URL) -> ChangeSource:
    """Open the change source the URL's back-end has.

    Raises:
        psycopg.Error, sqlite3.Error: the database cannot be reached.
    """
    if url.get_backend_name() == "sqlite":
        return SqliteChangeSource(url)
    return PostgresChangeSource(url)


class ChangeFeed:
    """Runs a change source on its own thread and reports batches of tables.

    A lost connection is opened again, after 0.5 s and then twice as long
    each time up to 10 s; once back, the next batch names all of
    FEED_TABLES, as changes made meanwhile went unheard.

    Args:
        url: The database to watch.
        on_change: Called on the feed's thread with the changed tables.
        interval: The least time between two calls of `on_change`.
    """

    def __init__(
        self,
        url: URL,
        on_change: ChangeCallback,
        *,
        interval: float = DELIVERY_INTERVAL_S,
    ) -> None:
        self._url = url
        self._on_change = on_change
        self._interval = interval
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._source: ChangeSource | None = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start watching on a new thread; returns at once."""
        if self.is_running:
            return
        self._stopping.clear()
        self._listening.clear()
        # Daemon: a feed nobody stopped must not keep the process alive.
        self._thread = threading.Thread(
            target=self._run, name="crm-change-feed", daemon=True
        )
        self._thread.start()

    def wait_until_listening(self, timeout: float) -> bool:
        """Wait until the source listens: commits after that are sure to be heard.

        Returns:
            False if it does not listen within `timeout` seconds.
        """
        return self._listening.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching and wait for the thread to end."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("the change feed did not stop within %.1f s", timeout)
            self._thread = None

    def _run(self) -> None:
        pending: set[str] = set()
        delivered_at = -self._interval
        retry = RECONNECT_FIRST_S
        missed = False
        while not self._stopping.is_set():
            if self._source is None:
                self._source = self._connect()
                if self._source is None:
                    missed = True
                    self._stopping.wait(retry)
                    retry = min(retry * 2, RECONNECT_MAX_S)
                    continue
                if missed:
                    # Changes made while the connection was down went unheard.
                    pending |= FEED_TABLES
                retry, missed = RECONNECT_FIRST_S, False
            due = delivered_at + self._interval - time.monotonic()
            timeout = max(0.0, due) if pending else POLL_INTERVAL_S
            try:
                pending |= self._source.wait(min(timeout, POLL_INTERVAL_S))
            except (psycopg.Error, sqlite3.Error) as exc:
                logger.warning("the change feed lost its connection: %s", exc)
                self._listening.clear()
                self._close_source()
                missed = True
                continue
            if pending and time.monotonic() - delivered_at >= self._interval:
                delivered_at = time.monotonic()
                self._deliver(frozenset(pending))
                pending = set()
        self._close_source()
        self._listening.clear()

    def _connect(self) -> ChangeSource | None:
        try:
            source = open_source(self._url)
        except (psycopg.Error, sqlite3.Error) as exc:
            where = describe_url(self._url)
            logger.warning("the change feed cannot watch %s: %s", where, exc)
            return None
        logger.info("change feed watching %s", describe_url(self._url))
        self._listening.set()
        return source

    def _deliver(self, tables: frozenset[str]) -> None:
        logger.debug("changed: %s", ", ".join(sorted(tables)))
        try:
            self._on_change(tables)
        except Exception:
            # The feed must outlive a failing receiver.
            logger.exception("a change feed receiver failed")

    def _close_source(self) -> None:
        if self._source is not None:
            try:
                self._source.close()
            except (psycopg.Error, sqlite3.Error):
                logger.debug("closing the change feed's connection failed")
            self._source = None
