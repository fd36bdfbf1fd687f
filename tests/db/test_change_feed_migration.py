"""Revision 0003: notification triggers on PostgreSQL, nothing on SQLite."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from crm_desktop.db.database import open_database
from crm_desktop.db.engine import make_engine, normalize_url
from crm_desktop.db.migrate import alembic_config, current_revision

TRIGGERS_SQL = text(
    "SELECT tgrelid::regclass::text FROM pg_trigger "
    "WHERE tgname LIKE '%\\_notify\\_change' ORDER BY 1"
)
# Bit 0 of tgtype marks a row-level trigger.
ROW_LEVEL_SQL = text(
    "SELECT count(*) FROM pg_trigger "
    "WHERE tgname LIKE '%\\_notify\\_change' AND tgtype & 1 = 1"
)
SQLITE_TRIGGERS_SQL = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")


def _psycopg_url(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _notified_tables(database_url: str, writes: list[str]) -> list[str]:
    """Run the writes in one transaction and return what a listener hears."""
    dsn = _psycopg_url(database_url)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN crm_changes")
        with psycopg.connect(dsn) as writer:
            for statement in writes:
                writer.execute(statement)
        return [note.payload for note in listener.notifies(timeout=1.0)]


def _trigger_tables(connection: Connection) -> list[str]:
    return list(connection.scalars(TRIGGERS_SQL))


def test_sqlite_gets_no_triggers_of_its_own(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'crm.db'}")
    with database.engine.connect() as connection:
        names = set(connection.scalars(SQLITE_TRIGGERS_SQL))
    database.dispose()

    # Only the full-text triggers of revision 0001 are in a SQLite file.
    assert len(names) == 12
    assert all("_fts_" in name for name in names)


def test_one_notification_per_table_and_transaction(postgres_url: str) -> None:
    database = open_database(postgres_url)
    with database.engine.connect() as connection:
        tables = _trigger_tables(connection)
        row_level = connection.scalar(ROW_LEVEL_SQL)
    database.dispose()

    heard = _notified_tables(
        postgres_url,
        [
            "INSERT INTO tags (name) VALUES ('a'), ('b'), ('c')",
            "INSERT INTO tags (name) VALUES ('d')",
            "UPDATE tags SET name = upper(name)",
            "INSERT INTO companies (name) VALUES ('Acme')",
            "INSERT INTO audit_log (at, action, table_name, record_id, changes) "
            "VALUES (now(), 'create', 'companies', 1, '{}')",
        ],
    )

    assert len(tables) == 18
    assert row_level == 0
    assert {"contacts", "deals", "activities", "contact_phones"} <= set(tables)
    assert "audit_log" not in tables
    assert heard == ["tags", "companies"]


def test_a_rolled_back_write_sends_nothing(postgres_url: str) -> None:
    open_database(postgres_url).dispose()
    dsn = _psycopg_url(postgres_url)

    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN crm_changes")
        with psycopg.connect(dsn) as writer:
            writer.execute("INSERT INTO tags (name) VALUES ('gone')")
            writer.rollback()
        heard = list(listener.notifies(timeout=0.5))

    assert heard == []


def test_downgrade_to_0002_removes_the_triggers(database_url: str) -> None:
    open_database(database_url).dispose()
    engine = make_engine(normalize_url(database_url))

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")

    with engine.connect() as connection:
        assert current_revision(connection) == "0002"
        if engine.dialect.name == "postgresql":
            assert _trigger_tables(connection) == []
            function = text("SELECT count(*) FROM pg_proc WHERE proname = :name")
            assert connection.scalar(function, {"name": "crm_notify_change"}) == 0
    engine.dispose()
    if engine.dialect.name == "postgresql":
        write = "INSERT INTO tags (name) VALUES ('x')"
        assert _notified_tables(database_url, [write]) == []
