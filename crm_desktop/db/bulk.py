"""Fast bulk loads for demo data and large imports.

Rows are plain tuples in the order of the columns given. PostgreSQL gets
COPY, which is several times faster than INSERT; SQLite gets executemany on
the raw connection, which skips SQLAlchemy's per-row work. While a load
runs, the tables' secondary indexes, search triggers and (on PostgreSQL)
foreign keys are set aside and rebuilt once at the end: building an index
over all rows at once is many times cheaper than keeping it current row by
row, and one check of every foreign key is cheaper than one per row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)

# Memory PostgreSQL may use to sort one index build, set for the load's
# transaction only; the server's default (64 MB) spills a million-row sort
# to disk, and a GIN index over a million search vectors flushes its lists
# of rows to disk every 256 MB.
_PG_MAINTENANCE_MEMORY = "1GB"
# SQLite page cache during a load, in KiB (negative means KiB): a whole
# table's worth of pages stays in memory while its indexes are built.
_SQLITE_LOAD_CACHE_KIB = 524_288


def insert_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert rows into a table inside the connection's transaction.

    Values go to the driver as they are: on PostgreSQL a str is parsed by
    the server as the column's type, so callers may hand preformatted times.
    """
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cursor = raw.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def reset_sequence(connection: Connection, table: str) -> None:
    """Move a PostgreSQL id sequence past ids inserted by hand."""
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
    )


@contextmanager
def loading_connection(engine: Engine) -> Iterator[Connection]:
    """Yield a connection inside one transaction, ready for `bulk_load`.

    On SQLite, foreign keys are not checked row by row during it:
    `bulk_load` checks every loaded row at once before the commit. The
    connection gets its usual settings back before it returns to the pool.
    """
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # NOTE: SQLite ignores this pragma inside a transaction, so it
            # must run before SQLAlchemy begins one on this connection.
            raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


@contextmanager
def bulk_load(connection: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Set aside the tables' indexes, triggers and checks while loading.

    Everything happens inside the connection's transaction, so a failed load
    leaves the schema as it was.

    Raises:
        ValueError: a loaded row refers to a row that does not exist.
    """
    if connection.dialect.name == "sqlite":
        saved = _sqlite_set_aside(connection, tables)
        yield
        started = time.perf_counter()
        _sqlite_restore(connection, tables, saved)
    else:
        connection.exec_driver_sql(
            f"SET LOCAL maintenance_work_mem = '{_PG_MAINTENANCE_MEMORY}'"
        )
        # The one commit at the end need not wait for its WAL to reach disk
        # before the demo reports; a crash just loses the unfinished load.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        saved = _postgres_set_aside(connection, tables)
        yield
        started = time.perf_counter()
        for statement in saved:
            _timed(connection, statement)
        # Fresh statistics, or the planner guesses at a million rows.
        connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
    logger.debug("rebuilt indexes of %s in %.1f s", ", ".join(tables), _since(started))


def _since(started: float) -> float:
    return time.perf_counter() - started


def _timed(connection: Connection, statement: str) -> None:
    started = time.perf_counter()
    connection.exec_driver_sql(statement)
    logger.debug("%.2f s: %s", _since(started), statement[:120])


def _sqlite_has_table(connection: Connection, name: str) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).first()
    return found is not None


def _sqlite_set_aside(connection: Connection, tables: Sequence[str]) -> list[str]:
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_LOAD_CACHE_KIB}")
    marks = ", ".join("?" for _ in tables)
    rows = connection.exec_driver_sql(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        tuple(tables),
    ).all()
    for kind, name, _sql in rows:
        connection.exec_driver_sql(f"DROP {kind.upper()} {name}")
    return [sql for _kind, _name, sql in rows]


def _sqlite_restore(
    connection: Connection, tables: Sequence[str], saved: list[str]
) -> None:
    for table in tables:
        fts = f"{table}_fts"
        if _sqlite_has_table(connection, fts):
            _timed(connection, f"INSERT INTO {fts}({fts}) VALUES('rebuild')")
    for statement in saved:
        _timed(connection, statement)
    for table in tables:
        broken = connection.exec_driver_sql(
            f"PRAGMA foreign_key_check({table})"
        ).first()
        if broken is not None:
            raise ValueError(
                f"row {broken[1]} of {table} refers to a missing row of {broken[2]}"
            )
    # The page cache goes back to the size the engine gave the connection.
    connection.exec_driver_sql("PRAGMA cache_size = -2000")


def _postgres_set_aside(connection: Connection, tables: Sequence[str]) -> list[str]:
    # Only plain indexes: those behind primary keys and unique constraints
    # stay, as foreign keys pointing at them need them.
    indexes = connection.exec_driver_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname "
        "JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%(tables)s) "
        "AND NOT x.indisunique",
        {"tables": list(tables)},
    ).all()
    # A foreign key checks each row by a trigger that locks the row it
    # points at; adding the key back checks all rows in one join.
    keys = connection.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.contype = 'f' "
        "AND c.conrelid::regclass::text = ANY(%(tables)s)",
        {"tables": list(tables)},
    ).all()
    for name, _definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for table, name, _definition in keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    restore = [definition for _name, definition in indexes]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in keys
    ]
    return restore
