"""SQLite sessions: writers take the lock when they begin, readers never do."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import func, select

from crm_desktop.db.database import open_database
from crm_desktop.db.models import User


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_read_session_is_not_held_up_by_a_writer(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'crm.db'}")
    holder = _hold_write_lock(tmp_path / "crm.db")
    try:
        started = time.monotonic()
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 0
        assert time.monotonic() - started < 1.0
    finally:
        holder.rollback()
        holder.close()
        database.dispose()


def test_write_session_holds_the_write_lock_from_its_first_statement(
    tmp_path: Path,
) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        with database.write_session() as session:
            session.scalar(select(func.count()).select_from(User))
            other = sqlite3.connect(tmp_path / "crm.db", timeout=0.1)
            try:
                other.execute("BEGIN IMMEDIATE")
                locked = False
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc)
            finally:
                other.close()
        assert locked
    finally:
        database.dispose()
